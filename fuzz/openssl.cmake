# Link the instrumented static OpenSSL that fuzz/build-openssl builds (presets fuzz and afl
# set CMC_OPENSSL_ROOT to build/openssl-<preset>/install). Building it takes about two
# minutes on two cores, so it is not a configure step: fuzz/run builds it automatically,
# and a plain `cmake --preset fuzz` stops here with the exact command.
if(NOT EXISTS ${CMC_OPENSSL_ROOT}/lib/libcrypto.a)
  get_filename_component(_cmc_ossl_dir ${CMC_OPENSSL_ROOT} DIRECTORY)
  get_filename_component(_cmc_ossl_name ${_cmc_ossl_dir} NAME)
  string(REGEX REPLACE "^openssl-" "" _cmc_ossl_preset ${_cmc_ossl_name})
  message(FATAL_ERROR
    "No instrumented OpenSSL in ${CMC_OPENSSL_ROOT}. Build it first (about 2 minutes, "
    "needs root once for the deb-src entry):\n"
    "  fuzz/build-openssl ${_cmc_ossl_preset}\n"
    "or let fuzz/run do it: fuzz/run --engine libfuzzer --target all --seconds 60")
endif()
set(OPENSSL_ROOT_DIR ${CMC_OPENSSL_ROOT})
set(OPENSSL_USE_STATIC_LIBS TRUE)
# Search only the instrumented prefix, never fall back to Debian's uninstrumented library.
set(OPENSSL_INCLUDE_DIR ${CMC_OPENSSL_ROOT}/include CACHE PATH "" FORCE)
set(OPENSSL_CRYPTO_LIBRARY ${CMC_OPENSSL_ROOT}/lib/libcrypto.a CACHE FILEPATH "" FORCE)
set(OPENSSL_SSL_LIBRARY ${CMC_OPENSSL_ROOT}/lib/libssl.a CACHE FILEPATH "" FORCE)
