-- wrk script for perf/junk.sh: every request is a POST of a form body with $JUNK_PARAMS
-- parameters of $JUNK_VALUE_BYTES bytes each, a known access key id ($JUNK_KEY) and a junk RPC V1
-- signature: what an attacker who knows a key id (not its secret) can send.

function init(args)
   local n = tonumber(os.getenv("JUNK_PARAMS"))
   local value = string.rep("v", tonumber(os.getenv("JUNK_VALUE_BYTES")))
   local parts = {
      "Action=DescribeImages&Version=2014-05-26&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1",
      "SignatureVersion=1.0&AccessKeyId=" .. os.getenv("JUNK_KEY") .. "&Signature=junk",
   }
   for i = 1, n do
      parts[#parts + 1] = "P" .. i .. "=" .. value
   end
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
   junk = wrk.format("POST", "/", headers, table.concat(parts, "&"))
end

function request()
   return junk
end
