# All compiler/linker flags of the build, in one place. Directory-wide flags
# only reach targets created after them, so this is included first.
add_compile_options(-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(MIGCHECK_WERROR)
  add_compile_options(-Werror)
endif()

if(MIGCHECK_SANITIZE)
  add_compile_options(-fsanitize=${MIGCHECK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${MIGCHECK_SANITIZE})
endif()

if(MIGCHECK_COVERAGE)
  add_compile_options(-fprofile-instr-generate -fcoverage-mapping)
  add_link_options(-fprofile-instr-generate)
endif()

# libFuzzer: every object carries coverage hooks; only fuzz targets link the
# fuzzer main. Linking with fuzzer-no-link too keeps non-fuzz executables
# (tests) linkable without ASan (toolchain.md gotcha 2).
if(MIGCHECK_FUZZ_ENGINE STREQUAL "libfuzzer")
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
# Coverage feedback from the loader only, for any clang sanitizer-coverage
# build (the libfuzzer engine, OSS-Fuzz's libFuzzer flags): each counter
# costs libFuzzer a look on every run, set or not (an OSS-Fuzz build without
# the list had 52k counters to the preset's 14k, and a third of the exec/s).
# No indirect-call hooks: libFuzzer feeds them only to -use_value_profile=1,
# and the schema engine makes a virtual call per field (5 % of fuzz_load's
# time). These follow CMAKE_CXX_FLAGS on the command line, so they win.
# The ignorelist's hash is a compile definition: the compiler does not
# report the file as a dependency, so an edit re-runs configure and, through
# the changed flag, recompiles every object.
if(MIGCHECK_SANCOV_IGNORELIST)
  set(_ignorelist ${PROJECT_SOURCE_DIR}/cmake/sancov-ignorelist.txt)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_ignorelist})
  file(MD5 ${_ignorelist} _ignorelist_md5)
  add_compile_options(-fno-sanitize-coverage=indirect-calls -fsanitize-coverage-ignorelist=${_ignorelist}
                      -DMIGCHECK_SANCOV_IGNORELIST_MD5=${_ignorelist_md5})
endif()
