-- The Lua workload of bench/programs (lua.c runs it once per iteration). A mix of what Lua programs
-- do: function calls and recursion, tables as arrays and as records, metatables and methods, closures,
-- string building, formatting and pattern matching, sorting with a comparator, and floating point.
-- It returns a string that summarises every result, which the driver folds into its checksum; it must
-- not depend on the iteration order of pairs() (hash seeds and addresses differ between builds).
-- The argument scales the work in tenths: 10 (the default) is the full workload, 1 a tenth of it.
local tenths = ... or 10
local function n(x) return math.max(1, x * tenths // 10) end
math.randomseed(42)
local out = {}
local function emit(fmt, ...) out[#out + 1] = string.format(fmt, ...) end

-- 1. recursion and calls
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
emit("fib %d", fib(20 + n(5)))

-- 2. binary trees (allocation, GC)
local function make(d) if d == 0 then return {} end d = d - 1 return {make(d), make(d)} end
local function check(t) if t[1] then return 1 + check(t[1]) + check(t[2]) end return 1 end
local nodes = 0
for d = 4, 14 do
  for _ = 1, n(1 << (14 - d)) do nodes = nodes + check(make(d)) end
end
emit("trees %d", nodes)

-- 3. objects with metatables
local Account = {}
Account.__index = Account
function Account.new(name, balance) return setmetatable({name = name, balance = balance, log = {}}, Account) end
function Account:deposit(v) self.balance = self.balance + v; self.log[#self.log + 1] = v end
function Account:withdraw(v)
  if v > self.balance then return false end
  self.balance = self.balance - v; self.log[#self.log + 1] = -v
  return true
end
local accounts = {}
for i = 1, 500 do accounts[i] = Account.new("acct" .. i, i * 10) end
local refused = 0
for step = 1, n(200000) do
  local a = accounts[math.random(#accounts)]
  if step % 3 == 0 then
    if not a:withdraw(math.random(100)) then refused = refused + 1 end
  else
    a:deposit(math.random(50))
  end
end
local total = 0
for _, a in ipairs(accounts) do total = total + a.balance end
emit("accounts %d %d", total, refused)

-- 4. sorting records with a comparator
local people = {}
for i = 1, n(30000) do
  people[i] = {age = math.random(1, 90), name = string.format("p%05d", math.random(99999)), id = i}
end
table.sort(people, function(x, y)
  if x.age ~= y.age then return x.age < y.age end
  if x.name ~= y.name then return x.name < y.name end
  return x.id < y.id
end)
emit("sorted %s %s %d", people[1].name, people[#people].name, people[#people // 2].age)

-- 5. strings: building, formatting, patterns, gsub
local words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
local parts = {}
for i = 1, n(40000) do
  parts[i] = string.format("%s-%d:%s;", words[i % #words + 1], i * 7 % 1000, words[(i * 3) % #words + 1])
end
local text = table.concat(parts)
local count, digits = 0, 0
for w, n in text:gmatch("(%a+)%-(%d+)") do
  count = count + 1
  digits = digits + #n + #w
end
local replaced, nrep = text:gsub("(%a+):(%a+)", "%2=%1")
local upper = 0
for _ in replaced:upper():gmatch("ECHO") do upper = upper + 1 end
emit("strings %d %d %d %d %d", #text, count, digits, nrep, upper)
local freq = {}
for c in text:gmatch("%a") do freq[c] = (freq[c] or 0) + 1 end
local letters = {}
for c, n in pairs(freq) do letters[#letters + 1] = c .. n end
table.sort(letters)
emit("letters %s", table.concat(letters, ","))

-- 6. closures and higher-order functions
local function map(t, f) local r = {} for i = 1, #t do r[i] = f(t[i]) end return r end
local function filter(t, f) local r = {} for i = 1, #t do if f(t[i]) then r[#r + 1] = t[i] end end return r end
local function reduce(t, f, acc) for i = 1, #t do acc = f(acc, t[i]) end return acc end
local nums = {}
for i = 1, n(100000) do nums[i] = i end
local adders = {}
for k = 1, 8 do adders[k] = function(x) return x + k end end
local acc = 0
for k = 1, 8 do
  local evens = filter(map(nums, adders[k]), function(x) return x % 2 == 0 end)
  acc = acc + reduce(evens, function(a, b) return (a + b) % 1000003 end, 0)
end
emit("closures %d", acc)

-- 7. floating point: spectral norm and a mandelbrot
local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end
local function Av(x, y, N) for i = 1, N do local a = 0 for j = 1, N do a = a + x[j] * A(i, j) end y[i] = a end end
local function Atv(x, y, N) for i = 1, N do local a = 0 for j = 1, N do a = a + x[j] * A(j, i) end y[i] = a end end
local N = 120
local u, v, t = {}, {}, {}
for i = 1, N do u[i] = 1 end
for _ = 1, n(6) do Av(u, t, N) Atv(t, v, N) Av(v, t, N) Atv(t, u, N) end
local vBv, vv = 0, 0
for i = 1, N do vBv = vBv + u[i] * v[i]; vv = vv + v[i] * v[i] end
emit("spectral %.9f", math.sqrt(vBv / vv))
local inside = 0
for py = 0, 99 do
  for px = 0, n(150) - 1 do
    local cr, ci = px / 50 - 2, py / 50 - 1
    local zr, zi, n = 0.0, 0.0, 0
    while n < 60 and zr * zr + zi * zi < 4 do zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci; n = n + 1 end
    if n == 60 then inside = inside + 1 end
  end
end
emit("mandelbrot %d", inside)

-- 8. integer arithmetic and bit operations (a small hash)
local h = 0
for i = 1, n(300000) do h = ((h ~ i) * 16777619 + (i << 3)) & 0xffffffff end
emit("hash %08x", h)

return table.concat(out, "\n")
