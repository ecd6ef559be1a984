"""Sources: reading the curated files (case and publication Turtle) into named graphs.

Takes file paths, gives the quads of each file in the named graph of its case or publication,
or an :class:`kg.errors.InputError` that names the file (and line and column where there is
one) and says what is wrong: broken Turtle, an empty or comment-only file, bytes that are not
UTF-8, a byte-order mark, a control character, nesting too deep, a term over 16 MiB, a folder
or a file name that cannot name a graph.
"""
