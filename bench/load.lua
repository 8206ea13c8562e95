-- wrk script for bench/load.py: signed plaintext WeChat text pushes, a new MsgId each.
-- Each request takes its own signed query string from GUIDEBOT_BENCH_QUERIES (one a line, signed
-- beforehand by bench/load.py): guidebot refuses a nonce that comes back with another body.
local queries = {}
for line in io.lines(os.getenv("GUIDEBOT_BENCH_QUERIES")) do
  queries[#queries + 1] = line
end
local nthreads = tonumber(os.getenv("GUIDEBOT_BENCH_THREADS") or "1")
local questions = {}
for line in io.lines(os.getenv("GUIDEBOT_BENCH_QUESTIONS")) do
  questions[#questions + 1] = line
end
local run = os.time() % 100000
local counter = 0
bad = 0
tid = 0

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = string.format(
    "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBench%d%02d]]></FromUserName>" ..
    "<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>" ..
    "<MsgId>%d%d%09d</MsgId></xml>",
    tid, counter % 25, os.time(), questions[(counter % #questions) + 1], run, tid, counter)
  local query = queries[((counter - 1) * nthreads + tid - 1) % #queries + 1]
  return wrk.format("POST", wrk.path .. "?" .. query, {["Content-Type"] = "text/xml"}, body)
end

function response(status, headers, body)
  if status ~= 200 or body == nil or #body == 0 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
  end
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
