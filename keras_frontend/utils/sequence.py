"""``utils.Sequence``: an indexable source of batches for fit/evaluate/predict."""


class Sequence:
    """Subclass with ``__len__`` (batches per epoch) and ``__getitem__(i)`` -> a batch."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called after each epoch (shuffle the data here)."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence
