# docs/cip.1 is generated from the help texts and must be current
# (regenerate with: tools/gen_manpage.sh build/release/cip > docs/cip.1)
ARGS=(--version)
EXIT=0
STDOUT_HAS=("cip ")
CHECK='bash "$SRC/tools/gen_manpage.sh" "$CIP_BIN" > cip.1 && diff -u "$SRC/docs/cip.1" cip.1'
