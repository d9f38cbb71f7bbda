"""Starting a multiprocessing child without re-running this program's main module in it.

multiprocessing's spawn and forkserver children import the parent's `__main__` (so that pickled functions
defined there resolve). The studio's children run functions of the studio package, and a main module such as
app.py would rebuild the whole app (or, without a `__main__` guard, start over) in every child: hiding the main
module's name and path while the child starts avoids that. multiprocessing has no option for it, hence this.
"""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()  # one start at a time: the main module is hidden from the whole process meanwhile


def start_without_main(process) -> None:
    """`process.start()` (a multiprocessing Process of the spawn or forkserver kind) with `__main__` hidden."""
    main = sys.modules.get("__main__")
    with _lock:
        saved_spec = getattr(main, "__spec__", None)
        saved_file = main.__dict__.pop("__file__", None) if main is not None else None
        try:
            if main is not None:
                main.__spec__ = None
            process.start()
        finally:
            if main is not None:
                main.__spec__ = saved_spec
                if saved_file is not None:
                    main.__file__ = saved_file
