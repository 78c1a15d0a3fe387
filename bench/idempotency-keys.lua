-- wrk script: PUTs of 100-byte values, each with a unique Idempotency-Key (thread id + counter),
-- over a rotating set of keys. Used by bench/run-idempotency-cluster.
-- Script arguments (after --): a prefix unique to this wrk process (several wrk processes run at
-- once, each with thread ids from 0, so without it their keys would collide and be deduplicated),
-- and optionally how many responses each thread takes before it stops (0: until the duration ends).
local counter = 0
local thread_id = 0
local value = '"' .. string.rep("x", 98) .. '"'

function setup(thread)
    thread:set("id", thread_id)
    thread_id = thread_id + 1
end

function init(args)
    prefix = (args[1] or "") .. "t" .. id .. "-"
    limit = tonumber(args[2] or "0")
    responses = 0
end

function response(status, headers, body)
    responses = responses + 1
    if limit > 0 and responses >= limit then
        wrk.thread:stop()
    end
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
