// Boost.Graph's adjacency list (the writers and readers: pviz/boost_graph_io.hpp). GCC 12 warns,
// wrongly, that Boost's edge iterator and named-graph lookups (an optional inside them) may be used
// uninitialised when a graph is copied or its edges walked; the warning is Boost's, not ours, and
// is silenced for Boost's headers only (clang does not give it, and does not know GCC's name for
// it).
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
