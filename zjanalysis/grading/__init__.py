"""Grading student notebooks: `zjanalysis grade SUBMISSIONS --out DIR`.

- `submissions`: the layout `SUBMISSIONS/<student>/<NN_theme>.ipynb` and what is refused;
- `plan`: locked cells put back, tampering reported, what a student's cells do to zjanalysis;
- `runner`: the engine handler that runs one submission cell by cell in its own kernel;
- `score`: answers judged in the grader's process against `zjanalysis.teach`;
- `report`: gradebook.csv, summary.csv, feedback/<student>.html, manifest.json;
- `batch`: all of it in order (`grade`), and the closing table.

Importing this package imports nothing heavy; `grade` loads what it needs.
"""
