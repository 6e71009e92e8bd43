# cmake --install: headers, the layer libraries, a CMake package with one component per store
# (find_package(cortado REQUIRED COMPONENTS redis)), pkg-config files, and CPack's .deb.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(cortado_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cortado)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cortado TYPE INCLUDE)
install(TARGETS cortado_core cortado_http cortado_app cortado_session cortado EXPORT cortado-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT cortado-targets NAMESPACE cortado:: DESTINATION ${cortado_cmake_dir})
# One export per store, so that a program asking for no store needs none of their client libraries.
foreach(store sqlite redis postgres)
  install(TARGETS cortado_${store} EXPORT cortado-${store}-targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT cortado-${store}-targets NAMESPACE cortado:: DESTINATION ${cortado_cmake_dir})
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cortadoConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cortadoConfig.cmake INSTALL_DESTINATION ${cortado_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cortadoConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cortadoConfig.cmake ${PROJECT_BINARY_DIR}/cortadoConfigVersion.cmake
        DESTINATION ${cortado_cmake_dir})

# pkg-config: cortado, and cortado-sqlite / -redis / -postgres that add a store. The prefix is
# found from where the .pc file lies, so that an install under any --prefix works.
file(RELATIVE_PATH cortado_pc_up /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
foreach(pc cortado cortado-sqlite cortado-redis cortado-postgres)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libcortado-dev)
set(CPACK_PACKAGE_VENDOR "cortado")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Express and express-session for C++20")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "cortado developers")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# What a program built against the headers and static libraries needs from Debian 12.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "g++ (>= 4:12), cmake (>= 3.25), pkg-config, libboost1.81-dev, libboost-json1.81-dev, libssl-dev, zlib1g-dev, libsodium-dev, libbrotli-dev, libdeflate-dev, libsqlite3-dev, libhiredis-dev, libpq-dev")
include(CPack)
