"""Files that are never half-written, output folders whose files are replaced together, and provenance.

Single files. :func:`atomic_path` yields a temporary path beside the target
(``.<name>.<pid>.partial``); the target appears (``os.replace``, atomic on
one file system) only after the writer finished without error, so a full
disk or an interrupted run leaves either the old file or none, never a
truncated one. A failed write raises :class:`OSError` naming the target and
leaves no temporary behind. Existing files are refused unless
``overwrite=True``.

netCDF. :func:`write_netcdf` serialises the dataset in memory and writes the
bytes with plain file I/O, so a full disk is an ordinary :class:`OSError`.
(Written straight to disk through HDF5, it crashed: HDF5 writes while it
closes a file, and when that write fails the library keeps a file identifier
it can no longer close; the next touch of it, the garbage collection of the
failed store, is a segmentation fault. h5py/h5py#914 and #2160 describe it;
the netCDF4 library goes through the same HDF5 close.)

Folders. :func:`output_folder` is the folder of one run: it creates the
folder and locks it (:func:`folder_lock`, which is also the check that it
can be written, before any computation), recovers or removes what a killed
run left there, refuses files of an earlier run unless ``overwrite``, and
collects every file the run writes into it as a finished temporary. Only
when the run ends without error are they renamed into place, together: a
journal listing the renames is written first, so a run killed during the
renames is completed by the next run in the folder, and a run that fails or
is killed earlier leaves the earlier set untouched. A second run on a locked
folder is refused at once (:class:`FolderInUseError`, naming the folder and
the process holding it).

Modules: :mod:`.files` (single files, netCDF, figures, datasets), :mod:`.folders` (locks and runs),
:mod:`.provenance` (what every file records).
"""

from .files import atomic_path, check_writable, save_dataset, save_figure, write_netcdf, write_text
from .folders import (
    LOCK_NAME,
    FolderInUseError,
    OutputFolder,
    clean_stale_partials,
    folder_lock,
    output_folder,
)
from .provenance import draw_seed, flat_attrs, jsonable, provenance

__all__ = ["atomic_path", "check_writable", "provenance", "jsonable", "flat_attrs", "write_text", "save_figure",
           "save_dataset", "write_netcdf", "draw_seed", "folder_lock", "output_folder", "OutputFolder",
           "FolderInUseError", "clean_stale_partials", "LOCK_NAME"]
