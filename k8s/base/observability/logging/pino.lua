-- pino writes numeric levels (10 trace .. 60 fatal); Kibana filters read better with names.
local names = { [10] = "trace", [20] = "debug", [30] = "info", [40] = "warn", [50] = "error", [60] = "fatal" }

function pino_level(tag, timestamp, record)
  local level = record["level"]
  if type(level) == "number" and names[level] ~= nil then
    record["level"] = names[level]
    return 1, timestamp, record
  end
  return 0, timestamp, record
end
