#!/usr/bin/env bash
# A local 3-node cluster of the sample service, for trying the starter out on one machine.
#
#   ./cluster.sh up           build the jar if needed, start n1..n3, wait for a leader
#   ./cluster.sh status       each node's process, role, leader, generation, commit index
#   ./cluster.sh kill n2      SIGKILL one node (a crash: no shutdown hooks run)
#   ./cluster.sh start n2     start one node again (its data dir is kept)
#   ./cluster.sh pause n2     SIGSTOP one node (a long GC pause or a frozen VM)
#   ./cluster.sh resume n2    SIGCONT it
#   ./cluster.sh down         stop every node gracefully (data is kept)
#
# Nodes n1, n2, n3 listen on 127.0.0.1 ports 8081-8083. Each keeps its data in ./data/<node>,
# its log in ./data/<node>.log and its process id in ./data/<node>.pid.
# Environment: CLUSTER_JAVA_OPTS (default -Xmx256m), CLUSTER_WAIT_SECONDS (default 120),
# MAVEN_ARGS (passed to ./mvnw by Maven itself, e.g. MAVEN_ARGS=-o for an offline build).
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
DATA="$ROOT/data"
NODES=(n1 n2 n3)
HOST=127.0.0.1
JAVA_OPTS_DEFAULT="-Xmx256m"
WAIT_SECONDS=${CLUSTER_WAIT_SECONDS:-120}
# A fixed secret so the three local nodes trust each other. For local development only:
# a real deployment sets its own REPLICATION_PEER_CLUSTER_SECRET.
DEV_SECRET="local-dev-cluster-secret-not-for-production"

die() {
    echo "cluster.sh: $*" >&2
    exit 1
}

port_of() {
    case "$1" in
        n1) echo 8081 ;;
        n2) echo 8082 ;;
        n3) echo 8083 ;;
        *) die "unknown node '$1'; the nodes are ${NODES[*]}" ;;
    esac
}

peers() {
    local list="" node
    for node in "${NODES[@]}"; do
        list="${list:+$list,}$node=http://$HOST:$(port_of "$node")"
    done
    echo "$list"
}

# The pid of a running node, or nothing when it is not running (a stale pid file is removed).
running_pid() {
    local file="$DATA/$1.pid" pid
    [[ -f "$file" ]] || return 0
    pid=$(cat "$file")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
    else
        rm -f "$file"
    fi
}

port_taken() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# One top-level string or number field of a flat JSON answer (enough for /actuator/replication).
json_field() {
    sed -n 's/.*"'"$2"'":"\{0,1\}\([^",}]*\).*/\1/p' <<<"$1" | head -n 1
}

replication_info() {
    curl -s --max-time 2 "http://$HOST:$(port_of "$1")/actuator/replication" 2>/dev/null || true
}

require_tools() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        JAVA="$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        JAVA=$(command -v java)
    else
        die "Java not found. Install a JDK 17 or newer and put 'java' on the PATH (or set JAVA_HOME)."
    fi
    local version
    version=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    if [[ -z "$version" || "$version" -lt 17 ]]; then
        die "Java 17 or newer is needed, but '$JAVA' is version ${version:-unknown}. Install a newer JDK or set JAVA_HOME."
    fi
    command -v curl >/dev/null 2>&1 || die "curl not found; install curl (cluster.sh uses it to ask the nodes who leads)."
}

jar_path() {
    local jar
    for jar in "$ROOT"/sample-app/target/sample-app-*.jar; do
        [[ -f "$jar" && "$jar" != *-plain.jar ]] && echo "$jar" && return 0
    done
    return 0
}

# Builds the jar when it is missing or older than any main source or pom of the modules it
# contains; never while a node runs, so the nodes of one cluster run the same build.
build_if_needed() {
    local jar node
    jar=$(jar_path)
    if [[ -n "$jar" ]] && [[ -z $(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main \
            -type f -newer "$jar" -print -quit) ]]; then
        return 0
    fi
    if [[ -n "$jar" ]]; then
        for node in "${NODES[@]}"; do
            if [[ -n $(running_pid "$node") ]]; then
                echo "  sources changed, but $node is running: using the existing jar ('./cluster.sh down' first to rebuild)."
                return 0
            fi
        done
    fi
    echo "Building the sample-app jar with ./mvnw (the first build downloads Maven and dependencies)..."
    local log="$DATA/build.log"
    mkdir -p "$DATA"
    ./mvnw -B -pl sample-app -am package -DskipTests >"$log" 2>&1 &
    local build=$! started=$SECONDS
    while kill -0 "$build" 2>/dev/null; do
        printf '\r  building... %ds (log: data/build.log)' $((SECONDS - started))
        sleep 2
    done
    if ! wait "$build"; then
        echo
        tail -n 30 "$log" >&2
        die "the build failed; the last lines are above, the whole log is in data/build.log."
    fi
    printf '\r  built in %ds.%-30s\n' $((SECONDS - started)) ""
    jar=$(jar_path)
    [[ -n "$jar" ]] || die "the build succeeded but no jar is in sample-app/target; see data/build.log."
    # Maven leaves an up-to-date jar untouched; mark it as checked against the current sources.
    touch "$jar"
}

start_node() {
    local node=$1 port pid
    port=$(port_of "$node")
    pid=$(running_pid "$node")
    if [[ -n "$pid" ]]; then
        echo "  $node is already running (pid $pid, port $port)."
        return 0
    fi
    if port_taken "$port"; then
        die "port $port (for $node) is taken by another program. Stop it, or free the port, then run this again."
    fi
    mkdir -p "$DATA/$node"
    # The child writes its own pid, then becomes the JVM (exec), so the pid file names the JVM.
    REPLICATION_NODE_ID="$node" \
    REPLICATION_PEERS="$(peers)" \
    REPLICATION_DATA_DIR="$DATA/$node" \
    REPLICATION_PEER_CLUSTER_SECRET="${REPLICATION_PEER_CLUSTER_SECRET:-$DEV_SECRET}" \
    SERVER_PORT="$port" \
    SERVER_ADDRESS="$HOST" \
        nohup sh -c 'echo $$ > "$0"; exec "$@"' "$DATA/$node.pid" \
        "$JAVA" ${CLUSTER_JAVA_OPTS:-$JAVA_OPTS_DEFAULT} -jar "$(jar_path)" >>"$DATA/$node.log" 2>&1 </dev/null &
    echo "  started $node on http://$HOST:$port (log: data/$node.log)"
}

# Waits until every given node answers and one of them reports itself LEADER; prints its id.
await_leader() {
    local started=$SECONDS node info role leader=""
    while ((SECONDS - started < WAIT_SECONDS)); do
        local up=0
        for node in "$@"; do
            info=$(replication_info "$node")
            [[ -n "$info" ]] || continue
            up=$((up + 1))
            role=$(json_field "$info" role)
            [[ "$role" == LEADER ]] && leader=$node
        done
        if [[ -n "$leader" && $up -eq $# ]]; then
            printf '\r%-70s\r' "" >&2
            echo "$leader"
            return 0
        fi
        for node in "$@"; do
            if [[ -z $(running_pid "$node") ]]; then
                printf '\n' >&2
                tail -n 20 "$DATA/$node.log" >&2 || true
                die "$node exited while starting; the last lines of data/$node.log are above. './cluster.sh down' stops the other nodes."
            fi
        done
        printf '\r  waiting for the nodes and a leader... %ds (%d of %d nodes answering)' \
            $((SECONDS - started)) "$up" "$#" >&2
        sleep 1
    done
    printf '\n' >&2
    die "no leader after ${WAIT_SECONDS}s. Look at data/n*.log, or run './cluster.sh status'."
}

print_usage_hints() {
    local leader=$1 port
    port=$(port_of "$leader")
    cat <<EOF

Leader: $leader (http://$HOST:$port). Writes to any node are forwarded to the leader.
The nodes share a fixed development secret ($DEV_SECRET):
fine on this machine, never for a real deployment.

Try it:
  curl -s -X PUT http://$HOST:8082/kv/greeting -H 'Content-Type: application/json' -d '"hello"'
  curl -s http://$HOST:8083/kv/greeting
  curl -s 'http://$HOST:8083/kv/greeting?consistency=stale'
  curl -s -X PUT 'http://$HOST:8081/kv/greeting?ifVersion=0' -H 'Content-Type: application/json' -d '"again"'
  curl -s 'http://$HOST:8081/kv?prefix=greet'
  curl -s -X DELETE http://$HOST:8081/kv/greeting
  curl -s http://$HOST:$port/actuator/replication
  curl -s http://$HOST:8081/leader

Then: ./cluster.sh status | kill $leader | start $leader | down
EOF
}

cmd_up() {
    require_tools
    local node
    # Check every port before building or starting anything, so a taken port fails fast.
    for node in "${NODES[@]}"; do
        if [[ -z $(running_pid "$node") ]] && port_taken "$(port_of "$node")"; then
            die "port $(port_of "$node") (for $node) is taken by another program. Stop it, or free the port, then run this again."
        fi
    done
    build_if_needed
    echo "Starting a 3-node cluster (heap ${CLUSTER_JAVA_OPTS:-$JAVA_OPTS_DEFAULT}, data in ./data):"
    for node in "${NODES[@]}"; do
        start_node "$node"
    done
    local leader
    leader=$(await_leader "${NODES[@]}")
    echo "  all 3 nodes answer."
    print_usage_hints "$leader"
}

cmd_status() {
    local node pid info
    printf '%-4s %-7s %-6s %-14s %-7s %-10s %-11s %s\n' NODE PID PORT ROLE LEADER GENERATION COMMIT APPLIED
    for node in "${NODES[@]}"; do
        pid=$(running_pid "$node")
        if [[ -z "$pid" ]]; then
            printf '%-4s %-7s %-6s %s\n' "$node" - "$(port_of "$node")" "not running"
            continue
        fi
        if [[ $(ps -o stat= -p "$pid" 2>/dev/null) == T* ]]; then
            printf '%-4s %-7s %-6s %s\n' "$node" "$pid" "$(port_of "$node")" "paused (SIGSTOP; './cluster.sh resume $node')"
            continue
        fi
        info=$(replication_info "$node")
        if [[ -z "$info" ]]; then
            printf '%-4s %-7s %-6s %s\n' "$node" "$pid" "$(port_of "$node")" "starting or not answering (see data/$node.log)"
            continue
        fi
        printf '%-4s %-7s %-6s %-14s %-7s %-10s %-11s %s\n' "$node" "$pid" "$(port_of "$node")" \
            "$(json_field "$info" role)" "$(json_field "$info" leaderId)" "$(json_field "$info" generation)" \
            "$(json_field "$info" commitIndex)" "$(json_field "$info" appliedIndex)"
    done
}

cmd_kill() {
    local node=$1 pid
    port_of "$node" >/dev/null
    pid=$(running_pid "$node")
    [[ -n "$pid" ]] || die "$node is not running; start it with './cluster.sh start $node'."
    kill -KILL "$pid"
    rm -f "$DATA/$node.pid"
    echo "Killed $node (SIGKILL, pid $pid). Its data stays in data/$node; './cluster.sh start $node' brings it back."
}

cmd_start() {
    local node=$1
    port_of "$node" >/dev/null
    require_tools
    build_if_needed
    start_node "$node"
    local started=$SECONDS
    until [[ -n $(replication_info "$node") ]]; do
        [[ -n $(running_pid "$node") ]] || die "$node exited while starting; see data/$node.log."
        ((SECONDS - started < WAIT_SECONDS)) || die "$node did not answer within ${WAIT_SECONDS}s; see data/$node.log."
        printf '\r  waiting for %s... %ds' "$node" $((SECONDS - started))
        sleep 1
    done
    printf '\r  %s answers; it catches up from the leader. %-20s\n' "$node" ""
}

cmd_signal() {
    local signal=$1 node=$2 pid
    port_of "$node" >/dev/null
    pid=$(running_pid "$node")
    [[ -n "$pid" ]] || die "$node is not running; start it with './cluster.sh start $node'."
    kill "-$signal" "$pid"
    if [[ "$signal" == STOP ]]; then
        echo "Paused $node (SIGSTOP). The others elect a new leader if it led; './cluster.sh resume $node' resumes it."
    else
        echo "Resumed $node (SIGCONT)."
    fi
}

cmd_down() {
    local node pid pids=()
    for node in "${NODES[@]}"; do
        pid=$(running_pid "$node")
        [[ -n "$pid" ]] || continue
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid"
        pids+=("$node:$pid")
    done
    if [[ ${#pids[@]} -eq 0 ]]; then
        echo "No node is running."
        return 0
    fi
    echo "Stopping ${#pids[@]} node(s)..."
    local started=$SECONDS entry
    for entry in "${pids[@]}"; do
        node=${entry%%:*}
        pid=${entry#*:}
        while kill -0 "$pid" 2>/dev/null && ((SECONDS - started < 30)); do
            sleep 1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid"
            echo "  $node did not stop within 30s; killed it."
        else
            echo "  $node stopped."
        fi
        rm -f "$DATA/$node.pid"
    done
    echo "Data is kept in ./data; delete that directory to start from an empty cluster."
}

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

case "${1:-}" in
    up) cmd_up ;;
    status) cmd_status ;;
    kill) [[ $# -eq 2 ]] || usage 2; cmd_kill "$2" ;;
    start) [[ $# -eq 2 ]] || usage 2; cmd_start "$2" ;;
    pause) [[ $# -eq 2 ]] || usage 2; cmd_signal STOP "$2" ;;
    resume) [[ $# -eq 2 ]] || usage 2; cmd_signal CONT "$2" ;;
    down) cmd_down ;;
    -h | --help | help) usage 0 ;;
    "") usage 2 ;;
    *) echo "cluster.sh: unknown command '$1'." >&2; usage 2 ;;
esac
