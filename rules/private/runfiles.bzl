"""Where a file lies in a runfiles tree."""

def runfiles_path(ctx, f):
    """The path of f below a runfiles directory: `<repository>/<path>`.

    Files of the main repository lie under its workspace name (`_main` under
    bzlmod), files of other repositories under their canonical names, which
    their `short_path` starts with (`../<repository>/...`).

    Args:
      ctx: the context of the rule whose runfiles hold f.
      f: a File.

    Returns:
      The runfiles path of f, as a launcher finds it below `<binary>.runfiles`.
    """
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return ctx.workspace_name + "/" + f.short_path

def repository_runfiles_root(ctx, label):
    """The directory below a runfiles directory that holds a repository's files.

    Args:
      ctx: the context of the rule whose runfiles hold the files.
      label: a Label of the repository (of any of its targets).

    Returns:
      `_main` (the main repository under bzlmod, or its workspace name in
      WORKSPACE mode) or the repository's canonical name.
    """
    return label.workspace_name or ctx.workspace_name
