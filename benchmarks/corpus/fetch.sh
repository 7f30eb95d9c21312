#!/usr/bin/env bash
# Rebuild the development corpus of real TF1 programs (third-party code: never committed).
#   benchmarks/corpus/fetch.sh DIR     # then: python benchmarks/native_coverage.py DIR [--run]
# Each repository of corpus.tsv is cloned at its recorded commit into DIR/<owner>+<name>.
set -euo pipefail
dest=${1:?usage: fetch.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
tail -n +2 "$here/corpus.tsv" | cut -f1,2 | sort -u | while IFS=$'\t' read -r repo commit; do
  out="$dest/${repo/\//+}"
  if [ ! -d "$out/.git" ]; then
    git clone -q "https://github.com/$repo.git" "$out"
  fi
  git -C "$out" checkout -q "$commit"
done
echo "corpus in $dest: $(tail -n +2 "$here/corpus.tsv" | wc -l) TF1 programs listed"
