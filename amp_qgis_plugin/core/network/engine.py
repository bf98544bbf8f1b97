"""Shortest walking distances over a sparse graph: one pass for many origins.

The walking network is held as a symmetric ``scipy.sparse`` CSR matrix of edge lengths (metres;
the shortest of parallel edges, no self-loops). Distances come from
``scipy.sparse.csgraph.dijkstra`` (compiled code):

- :func:`multi_source_distances` gives, for every node, the distance to the *nearest* origin in
  one Dijkstra pass from all origins at once (``min_only=True``), bounded by ``limit``. Origins
  may start at a distance of their own (``offsets``, e.g. the walk from the place to the path
  where no path meets its edge): a virtual node linked to each origin by an edge of its offset
  is then the single source.
- :func:`per_source_distances` gives one row of distances per origin (one call, compiled loop).

Both return ``inf`` for nodes not reached within ``limit``; a node at exactly ``limit`` is
reached, as with networkx's ``cutoff``. There is no Python loop over origins or nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence, Union

import numpy as np

from amp_qgis_plugin.core.errors import DependencyError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse as sp

#: Node ids or distances given as a sequence or a numpy array.
IntArray = Union[Sequence[int], np.ndarray]
FloatArray = Union[Sequence[float], np.ndarray]


def _csgraph():
    """``scipy.sparse`` and ``scipy.sparse.csgraph``, or a DependencyError naming scipy."""
    try:
        import scipy.sparse as sparse
        from scipy.sparse import csgraph
    except ImportError as exc:  # pragma: no cover - scipy ships with QGIS
        raise DependencyError("The walking-network analysis needs the Python package scipy "
                              "(it comes with QGIS; otherwise: python -m pip install scipy).") from exc
    return sparse, csgraph


def graph_matrix(n_nodes: int, u: np.ndarray, v: np.ndarray, length: np.ndarray) -> "sp.csr_matrix":
    """The symmetric CSR matrix of an undirected graph's edge lengths.

    Parameters
    ----------
    n_nodes : int
        Number of nodes (ids ``0 .. n_nodes - 1``).
    u, v : ndarray of int
        End nodes of each edge.
    length : ndarray of float
        Length of each edge (metres, >= 0). Zero-length edges are kept as explicit zeros
        (scipy's sparse graphs treat stored zeros as edges).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``M[a, b] = M[b, a]`` = the shortest edge between ``a`` and ``b``; self-loops dropped.
    """
    sparse, _ = _csgraph()
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    w = np.asarray(length, dtype=np.float64)
    if len(w) and (not np.isfinite(w).all() or (w < 0).any()):
        raise InputError("Every walking-network edge needs a finite length of 0 m or more.")
    keep = u != v
    rows = np.concatenate([u[keep], v[keep]])
    cols = np.concatenate([v[keep], u[keep]])
    vals = np.concatenate([w[keep], w[keep]])
    return _csr_shortest(rows, cols, vals, n_nodes)


def _csr_shortest(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                  size: int) -> "sp.csr_matrix":
    """A CSR matrix of the shortest of parallel entries (row, col) -> length.

    Built straight from CSR arrays (rows sorted), so explicit zeros (edges of length 0) are
    kept, not summed away as ``coo -> csr`` would.
    """
    if len(vals):
        # shortest of parallel edges: sort by (row, col, length) and keep the first of each pair
        order = np.lexsort((vals, cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        first = np.ones(len(vals), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, vals = rows[first], cols[first], vals[first]
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    np.cumsum(indptr, out=indptr)
    sparse, _ = _csgraph()
    return sparse.csr_matrix((vals, cols, indptr), shape=(size, size))


def multi_source_distances(matrix: "sp.csr_matrix", sources: IntArray, *,
                           limit: float = np.inf,
                           offsets: Optional[FloatArray] = None) -> np.ndarray:
    """Distance from every node to its nearest source, in one Dijkstra pass.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix
        From :func:`graph_matrix` (symmetric).
    sources : sequence of int
        Origin nodes (duplicates allowed).
    limit : float
        Stop at this distance (metres); farther nodes get ``inf``.
    offsets : sequence of float, optional
        A starting distance per source (default 0): the distance of node ``i`` is then
        ``min_s(offsets[s] + d(sources[s], i))``.

    Returns
    -------
    ndarray of float, shape (n_nodes,)
        ``inf`` where no source is within ``limit``.
    """
    sparse, csgraph = _csgraph()
    n = matrix.shape[0]
    src = np.asarray(sources, dtype=np.int64)
    if n == 0 or len(src) == 0:
        return np.full(n, np.inf)
    if offsets is None or not np.any(np.asarray(offsets, dtype=float)):
        dist = csgraph.dijkstra(matrix, directed=True, indices=np.unique(src), min_only=True,
                                limit=limit)
        return np.asarray(dist, dtype=float)
    off = np.asarray(offsets, dtype=np.float64)
    if off.shape != src.shape or not np.isfinite(off).all() or (off < 0).any():
        raise InputError("Each walking origin needs one finite starting distance of 0 m or more.")
    # a virtual node n linked to each source by an edge of its offset (a directed edge: nothing
    # walks back into the virtual node)
    coo = matrix.tocoo()
    rows = np.concatenate([coo.row, np.full(len(src), n)])
    cols = np.concatenate([coo.col, src])
    vals = np.concatenate([coo.data, off])
    augmented = _csr_shortest(rows, cols, vals, n + 1)
    dist = csgraph.dijkstra(augmented, directed=True, indices=n, limit=limit)
    return np.asarray(dist[:n], dtype=float)


def per_source_distances(matrix: "sp.csr_matrix", sources: IntArray, *,
                         limit: float = np.inf) -> np.ndarray:
    """One row of distances per source (``inf`` beyond ``limit``), in one compiled call.

    Returns
    -------
    ndarray of float, shape (len(sources), n_nodes)
    """
    _, csgraph = _csgraph()
    src = np.asarray(sources, dtype=np.int64)
    if len(src) == 0:
        return np.zeros((0, matrix.shape[0]))
    return np.asarray(csgraph.dijkstra(matrix, directed=True, indices=src, limit=limit),
                      dtype=float).reshape(len(src), matrix.shape[0])


def components(matrix: "sp.csr_matrix") -> np.ndarray:
    """Connected-component label of every node (0 .. k-1)."""
    _, csgraph = _csgraph()
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    _, labels = csgraph.connected_components(matrix, directed=False)
    return np.asarray(labels, dtype=np.int64)
