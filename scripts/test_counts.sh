#!/usr/bin/env bash
# Reads `cargo test` output on stdin and prints one line: the tests passed,
# failed, ignored and filtered out over every test binary, from cargo's own
# "test result:" lines.
set -euo pipefail
awk '
  /^test result: / {
    binaries++
    for (i = 1; i <= NF; i++) {
      n = $(i - 1) + 0
      if ($i ~ /^passed;?$/) passed += n
      else if ($i ~ /^failed;?$/) failed += n
      else if ($i ~ /^ignored;?$/) ignored += n
      else if ($i ~ /^filtered$/) filtered += n
    }
  }
  END {
    printf "%d passed, %d failed, %d ignored, %d filtered out, in %d test binaries\n",
      passed, failed, ignored, filtered, binaries
  }
'
