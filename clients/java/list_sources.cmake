# Writes the .java files under SRC, one a line, to OUT (a javac @file), so
# that the build needs no list of the generated classes.
file(GLOB_RECURSE sources ${SRC}/*.java)
list(SORT sources)
string(REPLACE ";" "\n" text "${sources}")
file(WRITE ${OUT} "${text}\n")
