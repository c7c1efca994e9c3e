#pragma once
// Where the simulator was built from and which version it is. Defined in build_info.cpp,
// the only file compiled with the build's paths, so every other file's object code does not
// depend on where the tree is checked out.
namespace iopf {
const char* source_dir();   // the source tree: shipped platforms/ and traces/ live below it
const char* sim_version();  // the project version from CMakeLists.txt
const char* git_commit();   // the commit the build was configured from ("unknown" outside git; "+dirty" when modified)
}  // namespace iopf
