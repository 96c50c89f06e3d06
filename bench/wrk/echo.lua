-- POST /api/echo with a ~1 KB JSON body (the same bytes for every peer).
local items = {}
for i = 1, 12 do
  items[#items + 1] = string.format('{"id":%d,"name":"item number %d","tags":["alpha","beta","gamma"],"price":%d.99}', i, i, i * 3)
end
wrk.method = "POST"
wrk.body = '{"user":"bench","items":[' .. table.concat(items, ",") .. '],"note":"approute echo benchmark"}'
wrk.headers["Content-Type"] = "application/json"
