# cip report: invalid JSON fails with file:line:column; usage errors exit 2
printf '{"seed": 1,\n "models": {]}\n' > "$WORK/bad.json"
ARGS=(report "$WORK/bad.json" -o "$WORK/out.html")
EXIT=1
STDERR_HAS=("$WORK/bad.json:2:" "invalid summary JSON")
CHECK='test ! -e out.html && "$CIP_BIN" report 2>/dev/null; test $? = 2 &&
  "$CIP_BIN" report a.json b.json 2>/dev/null; test $? = 2 &&
  "$CIP_BIN" report --bogus x.json 2>/dev/null; test $? = 2 &&
  "$CIP_BIN" report /nonexistent.json -o o.html 2>/dev/null; test $? = 1'
