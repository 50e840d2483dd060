#!/bin/sh
# CTest characterize.runner_rejections: every rejection path of opcost_characterize exits with
# the documented code and names the problem. usage: check_rejections.sh RUNNER WORK_DIR
set -u
runner="$1"; work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$work"
sh "$here/build_image.sh" cortex-m7 "$work" || exit 1
elf="$work/nnk-cortex-m7.elf"
fails=0
expect() {  # expect CODE SUBSTRING -- ARGS...
  code="$1"; text="$2"; shift 3
  out="$("$runner" "$@" 2>&1 >/dev/null)"; got=$?
  if [ "$got" -ne "$code" ] || ! printf '%s' "$out" | grep -qF -- "$text"; then
    echo "FAIL: $* -> exit $got, stderr: $out (wanted exit $code and '$text')"; fails=$((fails + 1))
  else
    echo "ok: $* -> exit $got: $text"
  fi
}
printf 'zz 1\n' > "$work/bad-costs.tsv"
printf '# empty table\n' > "$work/empty-costs.tsv"
printf 'not an elf file, but long enough to have an ELF header size of 52 bytes ......\n' > "$work/not.elf"
expect 2 "usage:" -- --core cortex-m7
expect 2 "usage:" -- --image "$elf" --core
expect 1 "cannot open" -- --image "$work/missing.elf" --core cortex-m7
expect 1 "not an ELF32 little-endian file" -- --image "$work/not.elf" --core cortex-m7
expect 1 "unknown core 'cortex-m0'" -- --image "$elf" --core cortex-m0
expect 1 "unknown sweep 'huge'" -- --image "$elf" --core cortex-m7 --sweep huge
expect 1 "expected 'addr size instructions cycles'" -- --image "$elf" --core cortex-m7 --costs "$work/bad-costs.tsv"
expect 1 "is not in the cost table" -- --image "$elf" --core cortex-m7 --sweep reduced --limit 1 --costs "$work/empty-costs.tsv"
# Kernel library selection (build_image.sh / sweep.sh): an unknown library is a usage error.
for tool in build_image.sh sweep.sh; do
  case "$tool" in
    build_image.sh) out="$(sh "$here/$tool" cortex-m7 "$work" bogus 2>&1)"; got=$? ;;
    *) out="$(sh "$here/$tool" "$runner" cortex-m7 reduced "$work" "$work/x.csv" bogus 2>&1)"; got=$? ;;
  esac
  if [ "$got" -ne 2 ] || ! printf '%s' "$out" | grep -qF "unknown kernel library 'bogus'"; then
    echo "FAIL: $tool ... bogus -> exit $got, stderr: $out (wanted exit 2, unknown kernel library)"; fails=$((fails + 1))
  else
    echo "ok: $tool ... bogus -> exit $got: unknown kernel library"
  fi
done
[ "$fails" -eq 0 ]
