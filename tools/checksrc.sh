#!/usr/bin/env bash
# Project source checker (curl's checksrc idea): banned functions in src/,
# OpenMP regions without num_threads, cross-module private-header includes,
# missing file headers/SPDX lines, and oversized files. Exit 1 on findings.
set -u
cd "$(dirname "$0")/.."
fail=0
report() { echo "checksrc: $*"; fail=1; }

banned='\b(gets|strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|rand|srand|setlocale|strerror|exit|abort|printf|puts|malloc|calloc|realloc|free)[[:space:]]*\('
while IFS= read -r f; do
  case "$f" in src/core/alloc.c|src/core/ctx.c) continue ;; esac
  # strip comments and string literals crudely before matching
  hits=$(sed -e 's://.*$::' -e 's:/\*.*\*/::g' -e 's/"[^"]*"//g' "$f" | grep -nE "$banned" | grep -vE '(snprintf|vsnprintf|fprintf|cipi_|_free|_malloc|_calloc|_realloc)\(' || true)
  [ -n "$hits" ] && report "$f: banned function: $(echo "$hits" | head -3 | tr '\n' ' ')"
done < <(git ls-files 'src/*.c' 'src/*.h'; git ls-files --others --exclude-standard 'src/*.c' 'src/*.h')

# fprintf(stdout/stderr) in the library
grep -rnE 'fprintf\((stdout|stderr)' src && report "printing to stdout/stderr from src/"

# every omp parallel must state num_threads
grep -rnE '#pragma omp parallel' src | grep -v num_threads && report "omp parallel without num_threads"

# private headers only from their own directory
grep -rnE '#include "\.\./[a-z_]+/[a-z_]+_int\.h"' src cli && report "cross-module _int.h include"
grep -rnE '#include "[a-z_]+_int\.h"' cli && report "cli includes a private header"

# file header with SPDX line
for f in $(git ls-files 'src/*.[ch]' 'include/*.h' 'cli/*.[ch]'); do
  awk '/^#include|^#ifndef/{exit} {print}' "$f" | grep -q 'SPDX-License-Identifier' || report "$f: missing SPDX line in the file header"
  n=$(wc -l <"$f")
  [ "$n" -gt 1200 ] && report "$f: $n lines (hard limit 1200)"
done
[ $fail = 0 ] && echo "checksrc: ok"
exit $fail
