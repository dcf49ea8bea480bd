# framepipe_layer(<folder> <layer>...): the static library framepipe_<folder> from src/<folder>/
# (subfolders included), linking the layers named after it, each of which must be declared
# before it. A folder without sources is skipped, so a layer can be listed before it exists; one
# with headers only is an INTERFACE library. framepipe_check_layers() fails the configure when a
# folder of src/ has no line. FRAMEPIPE_LAYER_OBJECTS collects every layer's objects for
# framepipe_lib. The framepipe program's entry (src/cli/main.cpp) is left to the executable.

add_library(framepipe_layer_base INTERFACE)
target_compile_definitions(framepipe_layer_base INTERFACE
  FRAMEPIPE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  FRAMEPIPE_VERSION="${PROJECT_VERSION}")
target_link_libraries(framepipe_layer_base INTERFACE framepipe_dependencies)

set(FRAMEPIPE_LAYERS "")         # declared, lowest first
set(FRAMEPIPE_LAYER_OBJECTS "")

function(framepipe_layer name)
  set(folder ${CMAKE_SOURCE_DIR}/src/${name})
  set(target framepipe_${name})
  # Who may include what: this layer and everything below the layers it links.
  set(allowed ${name})
  set(links "")
  foreach(below IN LISTS ARGN)
    if(NOT below IN_LIST FRAMEPIPE_LAYERS)
      list(JOIN FRAMEPIPE_LAYERS " < " order)
      message(FATAL_ERROR "Layer ${name} links '${below}', which is not declared before it. A "
        "layer links only layers below it; the order is the list of framepipe_layer() lines in "
        "CMakeLists.txt, lowest first: ${order}")
    endif()
    list(APPEND allowed ${FRAMEPIPE_LAYER_${below}_ALLOWED})
    if(TARGET framepipe_${below})
      list(APPEND links framepipe_${below})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  list(APPEND FRAMEPIPE_LAYERS ${name})
  set(FRAMEPIPE_LAYERS ${FRAMEPIPE_LAYERS} PARENT_SCOPE)
  set(FRAMEPIPE_LAYER_${name}_ALLOWED ${allowed} PARENT_SCOPE)

  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${folder}/*.cpp)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS ${folder}/*.hpp)
  list(REMOVE_ITEM sources ${CMAKE_SOURCE_DIR}/src/cli/main.cpp)
  set(root ${CMAKE_BINARY_DIR}/layers/${name})
  if(NOT sources AND NOT headers)
    message(STATUS "Layer ${name}: src/${name}/ has no sources yet, skipped")
    file(REMOVE_RECURSE ${root})
    return()
  endif()

  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${folder} ${root}/${name} SYMBOLIC)
  if(sources)
    add_library(${target} STATIC ${sources})
    set(scope PUBLIC)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    list(APPEND FRAMEPIPE_LAYER_OBJECTS $<TARGET_OBJECTS:${target}>)
    set(FRAMEPIPE_LAYER_OBJECTS ${FRAMEPIPE_LAYER_OBJECTS} PARENT_SCOPE)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope} ${root})
  target_link_libraries(${target} ${scope} framepipe_layer_base ${links})

  list(JOIN allowed "," allowed_arg)
  list(JOIN FRAMEPIPE_LAYERS "," order_arg)
  set(stamp ${CMAKE_BINARY_DIR}/layers/${name}.includes-checked)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DLAYER=${name}
            -DALLOWED=${allowed_arg} -DORDER=${order_arg} -DSTAMP=${stamp}
            -P ${CMAKE_SOURCE_DIR}/cmake/check_layer_includes.cmake
    DEPENDS ${sources} ${headers} ${CMAKE_SOURCE_DIR}/cmake/check_layer_includes.cmake
    COMMENT "Checking the includes of layer ${name}" VERBATIM)
  add_custom_target(${target}_includes ALL DEPENDS ${stamp})  # ALL: also for headers only
  add_dependencies(${target} ${target}_includes)
endfunction()

function(framepipe_check_layers)
  file(GLOB folders LIST_DIRECTORIES true CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR}/src
       ${CMAKE_SOURCE_DIR}/src/*)
  list(JOIN FRAMEPIPE_LAYERS " < " order)
  foreach(folder IN LISTS folders)
    if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/src/${folder} AND NOT folder IN_LIST FRAMEPIPE_LAYERS)
      message(FATAL_ERROR "src/${folder}/ is not a layer. Add a line `framepipe_layer(${folder} "
        "<the layers it uses>)` to CMakeLists.txt where it belongs in the order (lowest first: "
        "${order}), and describe it in README.md \"Layout and development\".")
    endif()
  endforeach()
endfunction()

# framepipe_embed_assets(<target> <folder>): every file of <folder> compiled into <target> as
# fp::serve::find_asset (src/serve/dashboard_assets.hpp), regenerated when a file changes.
function(framepipe_embed_assets target folder)
  file(GLOB assets CONFIGURE_DEPENDS ${folder}/*)
  set(output ${CMAKE_BINARY_DIR}/generated/${target}_assets.cpp)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DASSET_DIR=${folder} -DOUTPUT=${output}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_assets.cmake
    DEPENDS ${assets} ${CMAKE_SOURCE_DIR}/cmake/embed_assets.cmake
    COMMENT "Embedding the files of ${folder}" VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()
