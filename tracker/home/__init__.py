"""A home for each user: the scope his dashboard and list open on, and his saved named views."""
