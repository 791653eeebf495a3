# Turns a text file into a C++ source defining it as a string constant.
# Usage: cmake -DINPUT=f.lua -DOUTPUT=f.cc -DSYMBOL=ns::name -P EmbedText.cmake
file(READ ${INPUT} text)
string(REGEX MATCH "^(.*)::([^:]+)$" _ ${SYMBOL})
set(namespace ${CMAKE_MATCH_1})
set(name ${CMAKE_MATCH_2})
set(delimiter "labkit_embed")
file(WRITE ${OUTPUT}
  "// Generated from ${INPUT}. Edit that file, not this one.\n"
  "namespace ${namespace} {\n"
  "extern const char ${name}[];\n"
  "const char ${name}[] = R\"${delimiter}(${text})${delimiter}\";\n"
  "}  // namespace ${namespace}\n")
