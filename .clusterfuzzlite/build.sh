#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: every fuzz/<target>.c (except replay_main.c)
# becomes $OUT/<target>, built with the standard $CC / $CFLAGS / $LIB_FUZZING_ENGINE, with its
# seed corpus ($OUT/<target>_seed_corpus.zip), dictionary and libFuzzer options (max_len
# from the target's header comment).

# 1. OpenSSL 3.0, static, with the same instrumentation as our code. CFLAGS already holds
#    the sanitizer and coverage flags and -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION.
ossl=$WORK/openssl-install
if [ ! -f "$ossl/lib/libcrypto.a" ]; then
    mkdir -p "$WORK/openssl-build"
    cd "$WORK/openssl-build"
    CC="$CC" "$SRC/openssl/Configure" no-shared no-tests no-module no-dso no-afalgeng \
        no-asm linux-x86_64 --prefix="$ossl" --openssldir="$ossl/ssl" --libdir=lib $CFLAGS
    make -j"$(nproc)" build_libs >/dev/null
    make install_dev >/dev/null
fi

# 2. libcmc and the targets. CMC_FUZZ_ENGINE tells fuzz/CMakeLists.txt to link each target
#    with $LIB_FUZZING_ENGINE and add no sanitizer flags of its own.
cd "$SRC/cmckit"
cmake -S . -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" -DCMC_WERROR=OFF \
    -DCMC_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DCMC_OPENSSL_ROOT="$ossl" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath,'\$ORIGIN/lib'"
cmake --build "$WORK/build" --target fuzz_all -j"$(nproc)"

# 3. Install: binaries, shared libraries the runner image lacks, seeds, dictionaries,
#    options, and the vector schemas fuzz/suite_case.c reads.
mkdir -p "$OUT/lib" "$OUT/cmckit-data"
cp -r vectors/schema "$OUT/cmckit-data/"
for src in fuzz/*.c; do
    t=$(basename "$src" .c)
    [ "$t" = replay_main ] && continue
    cp "$WORK/build/fuzz/fuzz_$t" "$OUT/$t"
    ldd "$OUT/$t" | awk '/=> \// && /(sqlite|jansson|microhttpd|curl|gnutls|nghttp|idn|psl|ssh|rtmp|brotli|zstd|gssapi|krb|lber|ldap|sasl|nettle|hogweed|gmp|p11|tasn1|unistring|ffi)/ {print $3}' |
        xargs -r cp -n -t "$OUT/lib/"
    if [ -d "fuzz/corpus/$t" ]; then
        (cd "fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
    fi
    dict=$(sed -n '1,20p' "$src" | grep -oE 'fuzz/dict/[A-Za-z0-9_-]+[.]dict' | head -n1 || true)
    [ -n "$dict" ] && cp "$dict" "$OUT/$t.dict"
    max_len=$(sed -n '1,20p' "$src" | grep -oE 'max_len: [0-9]+' | awk '{print $2}' | head -n1 || true)
    {
        echo "[libfuzzer]"
        [ -n "$max_len" ] && echo "max_len = $max_len"
        [ -n "$dict" ] && echo "dict = $t.dict"
    } >"$OUT/$t.options"
done
