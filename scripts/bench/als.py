"""ALS baseline for `canto-bench recommend`: reads the training split (users, items, plays as
[user, item, count]), fits implicit's AlternatingLeastSquares on the play counts as confidence
(scaled by ALPHA), and prints each user's top 10 items as JSON {"user": [items]}. Already-played
items are kept, as repeat listening is part of what is predicted. FACTORS, REGULARIZATION and ALPHA
come from the command line (the benchmark tries a grid and keeps ALS's best)."""
import json
import sys

import numpy as np
import scipy.sparse as sparse
from implicit.als import AlternatingLeastSquares

split = json.load(open(sys.argv[1]))
users, items = split["users"], split["items"]
rows = [p[0] for p in split["plays"]]
cols = [p[1] for p in split["plays"]]
data = [float(p[2]) for p in split["plays"]]
matrix = sparse.csr_matrix((data, (rows, cols)), shape=(users, items))
factors = int(sys.argv[2]) if len(sys.argv) > 2 else 64
regularization = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
alpha = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
model = AlternatingLeastSquares(factors=factors, regularization=regularization, iterations=20, random_state=42)
model.fit(matrix * alpha, show_progress=False)
ids, _ = model.recommend(np.arange(users), matrix, N=10, filter_already_liked_items=False)
print(json.dumps({str(user): [int(item) for item in ids[user]] for user in range(users)}))
