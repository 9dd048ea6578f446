# The adapter SDK: what `cmake --install` gives an adapter author, so that
#   find_package(migcheck)
#   target_link_libraries(my_adapter PRIVATE migcheck::adapter_abi migcheck::reference)
# works: headers (the reference, the harness, <migcheck/adapter.h>), the
# static libraries, migcheckConfig.cmake, the migcheck tool and the
# seeded-bug adapters. Also builds the seeded adapters and the example
# adapter, which are part of what is installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# <migcheck/adapter.h> alone: the C ABI, no library.
add_library(migcheck_adapter_abi INTERFACE)
target_include_directories(migcheck_adapter_abi INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/harness/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
add_library(migcheck::adapter_abi ALIAS migcheck_adapter_abi)

# Adapters are shared libraries linking the static reference: position-
# independent code throughout.
set(MIGCHECK_SDK_LIBS migcheck_reference migcheck_harness_core migcheck_harness)
set_target_properties(${MIGCHECK_SDK_LIBS} PROPERTIES POSITION_INDEPENDENT_CODE ON)
set_target_properties(migcheck_reference PROPERTIES EXPORT_NAME reference)
set_target_properties(migcheck_harness_core PROPERTIES EXPORT_NAME harness_core)
set_target_properties(migcheck_harness PROPERTIES EXPORT_NAME harness)
set_target_properties(migcheck_adapter_abi PROPERTIES EXPORT_NAME adapter_abi)
if(TARGET migcheck_reference_defects)
  set_target_properties(migcheck_reference_defects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  add_subdirectory(harness/seeded)
endif()
# The migcheck tool's `seeded` command runs the RapidCheck engine.
target_link_libraries(migcheck PRIVATE rapidcheck)
add_subdirectory(harness/examples)

install(TARGETS ${MIGCHECK_SDK_LIBS} migcheck_adapter_abi EXPORT migcheckTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS migcheck RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY reference/include/migcheck harness/include/migcheck
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(MIGCHECK_SEEDED_TARGETS)
  install(TARGETS ${MIGCHECK_SEEDED_TARGETS} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/migcheck/seeded)
endif()
install(DIRECTORY harness/examples/minimal_adapter DESTINATION ${CMAKE_INSTALL_DATADIR}/migcheck/examples)

install(EXPORT migcheckTargets NAMESPACE migcheck:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migcheck)
configure_package_config_file(cmake/migcheckConfig.cmake.in ${PROJECT_BINARY_DIR}/migcheckConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migcheck)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/migcheckConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/migcheckConfig.cmake ${PROJECT_BINARY_DIR}/migcheckConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migcheck)
