"""Flow Service: source/target connections, flows, actions and runs (`models`), the body and
reference checks (`validation`), the in-between flow states (`states`) and the routes (`responses`)."""
