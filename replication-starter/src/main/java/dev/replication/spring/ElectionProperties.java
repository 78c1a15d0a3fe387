package dev.replication.spring;

import java.time.Duration;

/**
 * Leader election timing (HeartBeat, Generation Clock). Followers campaign after the
 * election timeout without hearing from a leader, so it bounds how long writes stall after
 * a leader dies; it must stay well above the heartbeat interval and above the longest GC
 * pause or disk stall expected, or healthy leaders get deposed.
 */
public class ElectionProperties {

    /**
     * How long a follower waits without hearing from a leader before it campaigns
     * (randomized up to twice this). Shorter fails over sooner; below the longest GC pause,
     * disk stall or network hiccup, it deposes healthy leaders and writes stall in elections.
     */
    private Duration timeout = Duration.ofMillis(1000);

    /**
     * How often the leader sends heartbeats to idle followers. Shorter notices a lost quorum
     * and confirms reads sooner at the cost of more peer traffic; the election timeout must
     * be at least three times this (ten is usual), or followers campaign against a live
     * leader.
     */
    private Duration heartbeatInterval = Duration.ofMillis(100);

    /**
     * The consensus core's unit of time: the election timeout and the heartbeat interval are
     * counted in whole ticks. Shorter is finer timing for more wake-ups; longer than the
     * heartbeat interval makes heartbeats late.
     */
    private Duration tickInterval = Duration.ofMillis(50);

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getTickInterval() {
        return tickInterval;
    }

    public void setTickInterval(Duration tickInterval) {
        this.tickInterval = tickInterval;
    }
}
