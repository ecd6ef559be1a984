"""Building: sources, validated and classified, into the dataset files.

``pipeline`` writes TriG, N-Quads and the VoID description atomically; ``incremental``
builds into an on-disk store and rebuilds only changed cases; ``void`` describes the result.
"""
