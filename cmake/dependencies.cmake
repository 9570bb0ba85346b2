# System dependencies, all from Debian 12 (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing>=2.3)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
find_package(OpenSSL 3.0 REQUIRED)
if(ZS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
