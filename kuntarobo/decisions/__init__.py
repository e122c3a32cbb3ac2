"""Decision records: what every robot that prepares or makes administrative decisions keeps.

A robot's decision model subclasses `DecisionRecord`; the platform gives it a municipal running
number per year and robot, the deciding official and their title, the notification dates, the
allowed status changes, and database triggers (generated from the model, on SQLite and
PostgreSQL) that refuse any change to a decided record's content: a decision is never edited,
only superseded."""
