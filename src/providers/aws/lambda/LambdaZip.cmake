# fk_lambda_zip(NAME <zip name> TARGET <executable target>)
#
# Adds a target <zip name> (built by default) producing ${CMAKE_BINARY_DIR}/lambda/<zip name>.zip,
# a deployment package for the provided.al2023 / provided.al2 custom runtime:
#   bootstrap            shell script Lambda runs; starts the binary with the bundled loader
#   bin/<executable>
#   lib/                 every shared library the binary needs, glibc and its loader included,
#                        so a binary built on Debian 12 (glibc 2.36) runs on Amazon Linux
#                        (glibc 2.34), which it could not with the system loader.
# Include this file from any CMakeLists.txt:
#   include(${CMAKE_SOURCE_DIR}/src/providers/aws/lambda/LambdaZip.cmake)
set(FK_LAMBDA_PACKAGE_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/package_lambda.cmake)
function(fk_lambda_zip)
  cmake_parse_arguments(Z "" "NAME;TARGET" "" ${ARGN})
  set(out ${CMAKE_BINARY_DIR}/lambda/${Z_NAME}.zip)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:${Z_TARGET}> -DOUT=${out} -DSTRIP=${CMAKE_STRIP}
            -P ${FK_LAMBDA_PACKAGE_SCRIPT}
    DEPENDS ${Z_TARGET} ${FK_LAMBDA_PACKAGE_SCRIPT}
    COMMENT "Packaging Lambda zip ${Z_NAME}.zip"
    VERBATIM)
  add_custom_target(${Z_NAME} ALL DEPENDS ${out})
endfunction()
