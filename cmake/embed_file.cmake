# Turns INPUT into a C++ source defining `<NAMESPACE>::<SYMBOL>` (bytes + NUL) and
# `<SYMBOL_SIZE>`, so the binary carries the file (the manual, the SDK header) without reading
# anything at run time. NAMESPACE defaults to zs::cli.
if(NOT NAMESPACE)
  set(NAMESPACE "zs::cli")
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
# Character literals ('\xNN') rather than numbers: bytes above 0x7f (UTF-8 text) would be
# narrowing conversions into char.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "('....','....','....','....','....','....','....','....','....','....','....','....',)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by embed_file.cmake. Do not edit.\nnamespace ${NAMESPACE} {\nextern const char ${SYMBOL}[] = {\n${bytes}0x00};\nextern const unsigned long ${SYMBOL_SIZE} = ${size};\n}  // namespace ${NAMESPACE}\n")
