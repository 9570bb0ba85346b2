#!/usr/bin/env bash
# Regenerates the tar_index seed corpus: small archives from GNU tar and bsdtar in each format
# (512-byte records to keep them small), plus a few truncated/patched variants. Deterministic
# for a given tar/bsdtar version. Usage: tests/fuzz/tar_index/make_corpus.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/t/dir/sub" "$work/t/.zeroserve/scripts" "$out"
printf '<h1>hi</h1>\n' > "$work/t/index.html"
printf '' > "$work/t/empty.txt"
printf 'deep' > "$work/t/dir/sub/deep.txt"
printf 'obj' > "$work/t/.zeroserve/scripts/a.o"
printf 'long' > "$work/t/dir/$(printf 'n%.0s' $(seq 1 120)).css"
find "$work/t" -exec touch -h -d @1700000000 {} +

gnu() { tar --sort=name --owner=0 --group=0 --numeric-owner -b 1 -C "$work/t" "$@" .; }
gnu --format=gnu -cf "$out/gnu.tar"
gnu --format=pax -cf "$out/pax.tar"
gnu --format=pax --pax-option=comment=seed -cf "$out/pax_global.tar"
tar --sort=name --owner=0 --group=0 -b 1 -C "$work/t" --format=ustar -cf "$out/ustar.tar" \
  index.html empty.txt dir/sub .zeroserve
tar --sort=name -b 1 -C "$work/t" --format=v7 -cf "$out/v7.tar" index.html dir/sub
bsdtar --format=pax -b 1 -cf "$out/bsd_pax.tar" -C "$work/t" .
bsdtar --format=gnutar -b 1 -cf "$out/bsd_gnutar.tar" -C "$work/t" .

# Damaged variants.
head -c 1300 "$out/gnu.tar" > "$out/truncated_header.tar"
head -c 1024 "$out/ustar.tar" > "$out/no_end_blocks.tar"
cp "$out/ustar.tar" "$out/bad_checksum.tar"
printf 'X' | dd of="$out/bad_checksum.tar" bs=1 seek=3 conv=notrunc status=none
printf '\x1f\x8b\x08\x00' > "$out/gzip_magic.tar"
echo "wrote $(ls "$out" | wc -l) seeds to $out"
