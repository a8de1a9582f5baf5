def make_user(name="alice"):
    return {"name": name}
