"""Where a learner picks a course up again ("Resume where you stopped")."""


def resume_module(last_module_id, modules, completed_ids):
    """The module to open next, or None when every module of the course is completed.

    The last module opened, unless it is completed: then the first unfinished one after it
    (wrapping round to the start), so that a learner who passed a quiz and stopped is not
    sent back to the module they have just finished.
    """
    ids = [m.id for m in modules]
    if last_module_id in ids:
        if last_module_id not in completed_ids:
            return modules[ids.index(last_module_id)]  # the outline's entry: titles, no text
        start = ids.index(last_module_id) + 1
    else:
        start = 0
    for module in modules[start:] + modules[:start]:
        if module.id not in completed_ids:
            return module
    return None
