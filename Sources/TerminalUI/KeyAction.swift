/// What a key binding asks the reducer to do; each has its own function in `update`.
public enum KeyAction: Sendable, Equatable {
    // Everywhere.
    case switchPane, showHelp, switchMode, quit
    // Lists.
    case moveUp, moveDown, pageUp, pageDown, moveToFirst, moveToLast
    // Files.
    case openOrQueue, openFolder, parentFolder, toggleMark, toggleMarkAll, upload
    case startFilter, clearFilter, toggleHidden, cycleSort, listAgain, showFileDetails, fixFile
    // Uploads.
    case pause, resume, retry, pauseAll, resumeAll, cancel, forgetDone, copy, copyTemplate, export, showDetails, showRemoteMedia, deleteRemoteMedia
    // Filter editing.
    case keepFilter, dropFilter, eraseFilterCharacter
}
