-- wrk script for bench/run-cut-off-memory: alternating PUTs (100-byte values, unique
-- Idempotency-Key each) and linearizable GETs over 1,000 keys, against a node that has no quorum.
local counter = 0
local value = '"' .. string.rep("x", 98) .. '"'

function request()
    counter = counter + 1
    local path = "/kv/key-" .. (counter % 1000)
    if counter % 2 == 0 then
        return wrk.format("GET", path)
    end
    local headers = {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "cut-off-" .. counter,
    }
    return wrk.format("PUT", path, headers, value)
end
