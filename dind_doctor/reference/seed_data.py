"""The demo table of the embedded PostgreSQL: synthetic card transactions, none confirmed yet.

Deterministic (a fixed random seed), so every run starts from the same table. The columns follow the
public credit-card fraud dataset the user's project learns from; `is_fraud` is the model's prediction and
`fraud_confirmed` stays NULL until a demo run confirms a row.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

TABLE = "fraud_detection_2_table"
DEFAULT_ROWS = 300

CATEGORIES = ("grocery_pos", "gas_transport", "shopping_net", "misc_pos", "entertainment", "travel",
              "food_dining", "health_fitness", "home", "kids_pets", "personal_care", "shopping_pos")
CITIES = (("Paris", "IDF", 48.86, 2.35), ("Lyon", "ARA", 45.76, 4.84), ("Lille", "HDF", 50.63, 3.06),
          ("Nantes", "PDL", 47.22, -1.55), ("Toulouse", "OCC", 43.60, 1.44), ("Rennes", "BRE", 48.11, -1.68))

DDL = f"""CREATE TABLE {TABLE} (
    id SERIAL PRIMARY KEY,
    trans_date_trans_time TIMESTAMP NOT NULL,
    cc_num BIGINT NOT NULL,
    merchant TEXT NOT NULL,
    category TEXT NOT NULL,
    amt NUMERIC(10, 2) NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    long DOUBLE PRECISION NOT NULL,
    trans_num TEXT NOT NULL,
    is_fraud INTEGER NOT NULL,
    fraud_confirmed INTEGER
);"""


def seed_sql(rows: int = DEFAULT_ROWS, seed: int = 2) -> str:
    rng = random.Random(seed)
    start = datetime(2024, 6, 1)
    values = []
    for i in range(rows):
        city, state, lat, long = rng.choice(CITIES)
        when = start + timedelta(minutes=37 * i + rng.randrange(30))
        amount = round(rng.lognormvariate(3.5, 1.0), 2)
        predicted = 1 if rng.random() < 0.08 else 0
        values.append(
            f"('{when:%Y-%m-%d %H:%M:%S}', {4000000000000000 + rng.randrange(10**12)}, "
            f"'fraud_Merchant {rng.randrange(1, 80)}', '{rng.choice(CATEGORIES)}', {amount:.2f}, "
            f"'{city}', '{state}', {lat + rng.uniform(-0.1, 0.1):.4f}, {long + rng.uniform(-0.1, 0.1):.4f}, "
            f"'{rng.getrandbits(128):032x}', {predicted}, NULL)")
    columns = "trans_date_trans_time, cc_num, merchant, category, amt, city, state, lat, long, trans_num, " \
              "is_fraud, fraud_confirmed"
    return f"{DDL}\nINSERT INTO {TABLE} ({columns}) VALUES\n" + ",\n".join(values) + ";\n"
