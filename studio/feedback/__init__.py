"""Human feedback: people judge answers in the studio, and their choices become training data.

store.py owns a feedback queue's folder (runs/.feedback/<name>/: its items and the append-only label log,
folded into what each annotator chose, agreement, and exports in TRL's preference and unpaired formats);
rounds.py makes its rounds (prompts from a file, a dataset or a run's held-out rows, answered by two models,
two samples of one, or one) and the training runs on what was collected (DPO on pairs, KTO on thumbs), whose
model answers the next round. No gradio here: ui/feedback_tab.py is the face.
"""

from .rounds import AnswerSource, generate_round, start_round, training_spec
from .store import FeedbackSession, annotator_id, list_sessions, open_session

__all__ = ["AnswerSource", "FeedbackSession", "annotator_id", "generate_round", "list_sessions", "open_session",
           "start_round", "training_spec"]
