-- wrk script for bench/oauth.sh: counts response statuses in every wrk thread (as bench/storeviews.sh
-- does) and, when given a pool, sends one pre-signed OAuth Authorization header per request.
--
--   wrk ... -s bench/oauth.lua URL                 every request the same (wrk's static request)
--   wrk -tT ... -s bench/oauth.lua URL -- POOL_PREFIX T
--       thread N (1..T) sends the lines of POOL_PREFIX.N (bench/oauth_sign.py writes them), each
--       once, in order, as the Authorization header of the request; it creates POOL_PREFIX.ready.N
--       when its slice is loaded, and no thread sends before all T are.
--   wrk -tT ... -s bench/oauth.lua URL -- POOL_PREFIX T cycle
--       the same, but a thread that reaches the end of its slice starts it again: for the
--       reference server (nginx ignores the header), so that wrk does the very same work per
--       request as for the signed runs without signing a pool as large as nginx's rate.
--
-- Each header is used once: a nonce sent twice would be a replay, whose fast 401 is not throughput.
-- If a thread's slice runs out, that thread counts the requests it could not sign and stops
-- (wrk.thread:stop()); the run then reports pool_exhausted > 0 and bench/oauth.sh does not use it.
-- Figures come out as "bench: KEY VALUE" lines from done().

-- Globals, so that done() can read each thread's copy with thread:get().
counts = {}
pool_size = 0 -- headers loaded by this thread
pool_used = 0 -- headers handed to wrk (the first one also serves wrk's request check)
pool_exhausted = 0 -- requests asked for after the slice ran out
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_no", #threads) -- 1-based; runs in wrk's main Lua state before init()
end

function init(args)
    local prefix = args[1]
    if prefix == nil or prefix == "" then
        return -- no pool: request() stays undefined and wrk sends its static request
    end
    -- The slice is read in one piece (a string per line would make loading take seconds, and
    -- wrk's first thread already sends while the next one loads); request() cuts the next line.
    local file = prefix .. "." .. thread_no
    local f, err = io.open(file, "rb")
    if not f then
        error("oauth.lua: cannot open " .. tostring(err))
    end
    local size = f:seek("end")
    f:seek("set", 0)
    local data = size > 0 and f:read(size) or "" -- one read: "*a" grows a buffer step by step
    f:close()
    local n, at = 0, 1
    while true do
        local e = string.find(data, "\n", at, true)
        if not e then break end
        n, at = n + 1, e + 1
    end
    if n == 0 then
        error("oauth.lua: " .. file .. " holds no header")
    end
    pool_size = n
    -- Tell the other threads this slice is loaded (see wait_for_all below).
    local ready = assert(io.open(prefix .. ".ready." .. thread_no, "wb"))
    ready:close()
    local threads_total = tonumber(args[2]) or thread_no
    local cycle = args[3] == "cycle"
    local head = string.format("%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: ", wrk.method,
        wrk.path, wrk.headers["Host"])
    local pos, last = 1, nil
    -- wrk starts each thread right after its init(), so the first thread would send while the
    -- next ones still load their slices, before wrk starts its clock: requests that would inflate
    -- requests/s. So the first real request of every thread waits until every slice is loaded.
    -- wrk calls the first thread's request() once, from its main thread, before starting any
    -- thread, to check the request (script_verify_request); that call must not wait.
    local waited = false
    local skip_check_call = thread_no == 1
    local function wait_for_all()
        local deadline = os.time() + 120
        for k = 1, threads_total do
            while true do
                local r = io.open(prefix .. ".ready." .. k, "rb")
                if r then
                    r:close()
                    break
                end
                if os.time() > deadline then
                    error("oauth.lua: thread " .. k .. " did not load its slice")
                end
            end
        end
        waited = true
    end
    -- Defined here, after the pool is loaded: wrk asks whether request() exists only after init(),
    -- so the runs without a pool keep wrk's static request.
    function request()
        if not waited then
            if skip_check_call then
                skip_check_call = false
            else
                wait_for_all()
            end
        end
        local e = string.find(data, "\n", pos, true)
        if not e and cycle then
            pos = 1
            e = string.find(data, "\n", pos, true)
        end
        if e then
            last = head .. string.sub(data, pos, e - 1) .. "\r\n\r\n"
            pos = e + 1
            pool_used = pool_used + 1
            return last
        end
        -- Out of headers: count, and stop this thread. wrk still wants a string; the last header
        -- (already sent, so a replay) goes out but the stopped loop does not read its answer.
        pool_exhausted = pool_exhausted + 1
        wrk.thread:stop()
        return last
    end
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    local size, used, exhausted = 0, 0, 0
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts") or {}) do
            total[status] = (total[status] or 0) + n
        end
        size = size + (thread:get("pool_size") or 0)
        used = used + (thread:get("pool_used") or 0)
        exhausted = exhausted + (thread:get("pool_exhausted") or 0)
    end
    local non2xx = 0
    for status, n in pairs(total) do
        io.write(string.format("bench: status %d %d\n", status, n))
        if status < 200 or status > 299 then
            non2xx = non2xx + n
        end
    end
    local e = summary.errors
    io.write(string.format("bench: requests %d\n", summary.requests))
    io.write(string.format("bench: rps %.1f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("bench: p50_us %d\n", latency:percentile(50)))
    io.write(string.format("bench: p99_us %d\n", latency:percentile(99)))
    io.write(string.format("bench: non2xx %d\n", non2xx))
    io.write(string.format("bench: socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
    io.write(string.format("bench: pool_size %d\n", size))
    io.write(string.format("bench: pool_used %d\n", used))
    io.write(string.format("bench: pool_exhausted %d\n", exhausted))
end
