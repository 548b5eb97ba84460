from customers.storage import SqlCustomers  # noqa: F401  (transitional)
