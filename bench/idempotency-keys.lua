-- wrk script: PUTs of 100-byte values, each with a unique Idempotency-Key (thread id + counter),
-- over a rotating set of keys. Used by bench/run-idempotency-cluster.
local counter = 0
local thread_id = 0
local value = '"' .. string.rep("x", 98) .. '"'

function setup(thread)
    thread:set("id", thread_id)
    thread_id = thread_id + 1
end

function init(args)
    prefix = "t" .. id .. "-"
end

function request()
    counter = counter + 1
    local path = "/kv/key-" .. (counter % 1000)
    local headers = {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. counter,
    }
    return wrk.format("PUT", path, headers, value)
end
