# every command answers --help and `cip help CMD` on stdout with exit 0,
# with a usage line; an unknown command is a usage error
ARGS=(--help)
EXIT=0
STDOUT_HAS=("usage: cip" "Commands:")
CHECK='for c in $("$CIP_BIN" --help | awk "/^Commands:/{f=1;next} f&&/^  [a-z]/{print \$1} f&&/^\$/{exit}"); do
  "$CIP_BIN" "$c" --help | grep -q "^usage: cip $c" || { echo "no usage line: $c"; exit 1; }
  "$CIP_BIN" help "$c" >/dev/null || exit 1
done
"$CIP_BIN" nosuchcmd 2>/dev/null; test $? = 2'
