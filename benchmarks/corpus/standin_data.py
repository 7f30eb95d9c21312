"""Synthetic stand-ins for the data files and downloads of the corpus programs (used by standins.py).

Each generator writes data in the format a program parses (columns, separators, archive layout)
with values drawn here: nothing is anybody's data. The programs then run offline and quickly.
"""
from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tarfile
import zipfile

import numpy as np

_WORDS = ("the a of to and in is it that was for on are with as his they be at one have this from or had by "
          "film movie story good bad great dull funny plot actor scene love hate money free win call prize now "
          "text reply claim cash offer week today friend home later see you me we how what time day cliche silly "
          "sad happy king queen man woman").split()
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
# NOTE: letters only (programs strip digits and punctuation); programs keep the 1,000+ most frequent words
_VOCAB = _WORDS + [a + b + "x" for a in _SYLLABLES for b in _SYLLABLES][:2000]


def _idx(path: str, array: np.ndarray) -> None:
    """Write `array` as an IDX file (MNIST's format), gzipped when the name ends in .gz."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def digits(rng: np.random.RandomState, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random 28x28 'digits' whose labels a model can mostly learn (a bright band at a label's rows)."""
    labels = rng.randint(0, 10, size=n)
    images = rng.randint(0, 60, size=(n, 28, 28))
    for i, y in enumerate(labels):
        images[i, 2 * y:2 * y + 3, :] += 180
    noisy = rng.rand(n) < 0.1   # NOTE: a tenth mislabelled, so no model is perfect (programs plot their errors)
    labels[noisy] = rng.randint(0, 10, size=int(noisy.sum()))
    return images.astype(np.uint8), labels.astype(np.uint8)


def mnist(folder: str, n_train: int = 6000, n_test: int = 1000) -> None:
    """The four MNIST IDX files, gzipped and plain (some loaders unzip them and read the plain ones)."""
    rng = np.random.RandomState(0)
    os.makedirs(folder, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images, labels = digits(rng, n)
        for suffix in (".gz", ""):
            _idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{suffix}"), images)
            _idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{suffix}"), labels)


def mnist_npz(path: str, n_train: int = 6000, n_test: int = 1000) -> None:
    """Keras's `mnist.npz` layout (uint8 images and labels) with the same learnable stand-in digits."""
    rng = np.random.RandomState(1)
    arrays = {}
    for prefix, n in (("train", n_train), ("test", n_test)):
        arrays[f"x_{prefix}"], arrays[f"y_{prefix}"] = digits(rng, n)
    np.savez(path, **arrays)


def sentences(rng: np.random.RandomState, n: int, lo: int = 4, hi: int = 14) -> list[str]:
    """Sentences of words drawn with Zipf's law from the base words, then numbered ones."""
    p = _zipf(len(_VOCAB))
    return [" ".join(rng.choice(_VOCAB, rng.randint(lo, hi), p=p)) for _ in range(n)]


def text_lines(path: str, n: int = 240) -> None:
    """Lines of prose (abstracts, tweets) for character-level models: a few sentences each, 100-300 characters."""
    rng = np.random.RandomState(11)
    lines = [" ".join(s.capitalize() + "." for s in sentences(rng, rng.randint(2, 5), 6, 14)) for _ in range(n)]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def birth_life(path: str, n: int = 190) -> None:
    """Tab-separated country, birth rate, life expectancy (a header line first), roughly linear."""
    rng = np.random.RandomState(2)
    rates = rng.uniform(1.0, 7.5, n)
    life = 85.0 - 5.0 * rates + rng.normal(0, 2.0, n)
    rows = ["Country\tBirth rate\tLife expectancy"] + [f"C{i}\t{r:.3f}\t{e:.3f}" for i, (r, e) in enumerate(zip(rates, life))]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def fire_theft_xls(path: str, n: int = 42) -> None:
    """An Excel (.xls) sheet: a header row, then fires and thefts per 1000 housing units (written with xlwt)."""
    import xlwt
    rng = np.random.RandomState(9)
    book = xlwt.Workbook()
    sheet = book.add_sheet("fire_theft")
    sheet.write(0, 0, "X")
    sheet.write(0, 1, "Y")
    for i, x in enumerate(rng.uniform(2, 40, n), start=1):
        sheet.write(i, 0, float(x))
        sheet.write(i, 1, float(1.3 * x + 10 + rng.normal(0, 5)))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    book.save(path)


def heart_csv(path: str, n: int = 462) -> None:
    """Nine feature columns (the fifth 'Present'/'Absent') and a 0/1 label, a header line first."""
    rng = np.random.RandomState(10)
    rows = ["sbp,tobacco,ldl,adiposity,famhist,typea,obesity,alcohol,age,chd"]
    for _ in range(n):
        age, hist = rng.randint(15, 65), rng.rand() < 0.4
        sick = int(rng.rand() < 0.15 + 0.01 * (age - 15) + 0.2 * hist)
        rows.append(f"{rng.randint(100, 200)},{rng.uniform(0, 10):.2f},{rng.uniform(1, 10):.2f},"
                    f"{rng.uniform(10, 40):.2f},{'Present' if hist else 'Absent'},{rng.randint(20, 70)},"
                    f"{rng.uniform(15, 40):.2f},{rng.uniform(0, 50):.2f},{age},{sick}")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def photo_jpg(path: str, size: tuple[int, int] = (96, 128)) -> None:
    """A colour JPEG of smooth gradients and a few edges (what image-filter demos convolve)."""
    from PIL import Image
    h, w = size
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // w, y * 255 // h, ((x // 16 + y // 16) % 2) * 200], -1).astype(np.uint8)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    Image.fromarray(rgb).save(path, quality=90)


# NOTE: VGG-19's convolution part in MatConvNet's order (the file goes on with fc6...fc8, which no program reads)
VGG19 = [name for block, n in ((1, 2), (2, 2), (3, 4), (4, 4), (5, 4)) for name in
         [f"{kind}{block}_{i}" for i in range(1, n + 1) for kind in ("conv", "relu")] + [f"pool{block}"]]


def _struct(fields: list[tuple[str, object]]) -> np.ndarray:
    """A 1x1 MATLAB struct with its fields in this order (scipy.io.loadmat keeps it)."""
    out = np.empty((1, 1), dtype=[(name, object) for name, _ in fields])
    for name, value in fields:
        out[0, 0][name] = value
    return out


def vgg19_mat(path: str, beta16: bool = False, widths: tuple[int, ...] = (4, 6, 8, 8, 8)) -> None:
    """MatConvNet's imagenet-vgg-verydeep-19.mat layout: `layers`, a 1xN cell of layer structs (conv weights
    a 1x2 cell {W (3, 3, in, out), b (1, out)}), and `normalization` (its averageImage first), with few channels.

    The original file's structs begin name, type, weights; the beta16 file's begin with weights (programs
    index fields by position: `layers[0][i][0][0][2][0][0]` or `layers[0][i][0][0][0][0]`)."""
    import scipy.io
    rng = np.random.RandomState(19)
    cells = np.empty((1, len(VGG19)), dtype=object)
    channels = 3
    for i, name in enumerate(VGG19):
        weights = np.empty((1, 2), dtype=object)
        if name.startswith("conv"):
            out = widths[int(name[4]) - 1]
            weights[0, 0] = (rng.randn(3, 3, channels, out) * np.sqrt(2.0 / (9 * channels))).astype(np.float32)
            weights[0, 1] = (rng.rand(1, out) * 0.1).astype(np.float32)
            channels = out
        else:
            weights = np.zeros((0, 0))
        kind = "conv" if name.startswith("conv") else "relu" if name.startswith("relu") else "pool"
        fields = [("name", np.array([name])), ("type", np.array([kind])), ("weights", weights)]
        cells[0, i] = _struct(fields[2:] + fields[:2] if beta16 else fields)
    average = np.tile(np.array([123.68, 116.779, 103.939], np.float32), (8, 8, 1))
    normalization = _struct([("averageImage", average), ("keepAspect", np.array([[1]]))])
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    scipy.io.savemat(path, {"layers": cells, "normalization": normalization})


def text8_zip(path: str, n_words: int = 60000) -> None:
    """A zip holding one file of space-separated words, as text8.zip does."""
    rng = np.random.RandomState(3)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("text8", " ".join(rng.choice(_VOCAB, n_words, p=_zipf(len(_VOCAB)))))


def _zipf(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** 0.7
    return p / p.sum()


def tic_tac_toe(path: str, n: int = 60) -> None:
    """Boards of 9 squares in {-1, 0, 1} with the index of an empty square as the move."""
    rng = np.random.RandomState(4)
    with open(path, "w") as f:
        for _ in range(n):
            board = rng.choice([-1, 0, 1], 9)
            board[rng.randint(9)] = 0
            f.write(",".join(map(str, board)) + f",{int(rng.choice(np.flatnonzero(board == 0)))}\n")


def birthweight_dat() -> bytes:
    """Tab-separated LOW AGE LWT RACE SMOKE PTL HT UI BWT rows, CRLF lines (the layout of the birth-weight data)."""
    rng = np.random.RandomState(5)
    rows = ["LOW\tAGE\tLWT\tRACE\tSMOKE\tPTL\tHT\tUI\tBWT"]
    for _ in range(189):
        age, lwt, race, smoke = rng.randint(14, 45), rng.randint(80, 250), rng.randint(1, 4), rng.randint(0, 2)
        ptl, ht, ui = rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 2)
        bwt = int(2500 + 6 * (lwt - 130) - 300 * smoke - 200 * ht + rng.normal(0, 500))
        rows.append("\t".join(str(v) for v in (int(bwt < 2500), age, lwt, race, smoke, ptl, ht, ui, bwt)))
    return "\r\n".join(rows).encode() + b"\r\n"


def housing_data() -> bytes:
    """506 rows of 14 space-separated numbers, the last a price that depends on the others."""
    rng = np.random.RandomState(6)
    x = rng.uniform(0, 10, (506, 13))
    y = 5 + x[:, 5] * 2.5 - x[:, 12] * 0.8 + rng.normal(0, 1, 506)
    return "".join(" " + " ".join(f"{v:8.4f}" for v in row) + "\n" for row in np.column_stack([x, y])).encode()


def sms_spam_zip() -> bytes:
    """A zip with `SMSSpamCollection`: `ham<TAB>text` / `spam<TAB>text` lines."""
    rng = np.random.RandomState(7)
    lines = []
    for text in sentences(rng, 2000, 8, 20):
        spam = rng.rand() < 0.2
        lines.append(("spam\t" + text + " free cash prize call now") if spam else ("ham\t" + text))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("SMSSpamCollection", "\n".join(lines) + "\n")
    return out.getvalue()


def movie_reviews_tgz() -> bytes:
    """A tar.gz with rt-polaritydata/rt-polarity.pos and .neg, one review per line (latin-1)."""
    rng = np.random.RandomState(8)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, extra in (("pos", " great good love"), ("neg", " bad dull hate")):
            data = ("\n".join(s + extra for s in sentences(rng, 2000, 6, 16)) + "\n").encode("latin-1")
            info = tarfile.TarInfo(f"rt-polaritydata/rt-polarity.{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def movie_review_file(path: str) -> None:
    """rt-polarity.pos or .neg (as the path ends) from the tar.gz above, where a program reads it unpacked."""
    name = "rt-polaritydata/" + os.path.basename(path)
    with tarfile.open(fileobj=io.BytesIO(movie_reviews_tgz()), mode="r:gz") as tar:
        data = tar.extractfile(name).read()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def plays_txt(n_lines: int = 4000) -> bytes:
    """A 7,675-character preamble (the programs drop it) and then lines of play-like text, CRLF ends."""
    rng = np.random.RandomState(9)
    body = "\r\n".join(("KING. " if rng.rand() < 0.1 else "") + s.capitalize() + rng.choice([".", ",", "!", "?"])
                        for s in sentences(rng, n_lines, 3, 12))
    return ("*" * 7675 + "\r\n" + body + "\r\n").encode("utf-8")


def sentence_pairs_zip(n: int = 3000) -> bytes:
    """A zip with `deu.txt`: `english<TAB>other` lines, the other side a fixed word-for-word cipher."""
    rng = np.random.RandomState(10)
    lines = [s.capitalize() + ".\t" + " ".join(w[::-1] + "en" for w in s.split()).capitalize() + "."
             for s in sentences(rng, n, 2, 9)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("deu.txt", "\n".join(lines) + "\n")
    return out.getvalue()


def boston_npz(path: str, n: int = 506) -> str:
    """Keras's boston_housing.npz layout: `x` (n, 13) and `y` (n,), the price a function of x."""
    if not os.path.exists(path):
        x = np.random.RandomState(6).uniform(0, 10, (n, 13))
        np.savez(path, x=x, y=5 + x[:, 5] * 2.5 - x[:, 12] * 0.8)
    return path


def cifar10_python(folder: str, per_batch: int = 10000) -> str:
    """Keras's extracted cifar-10-python layout: cifar-10-batches-py/{data_batch_1..5,test_batch}
    pickles of uint8 rows (3x32x32, channels first) and labels; images are a label's colour plus noise."""
    inner = os.path.join(folder, "cifar-10-batches-py")
    if os.path.exists(os.path.join(inner, "test_batch")):
        return folder
    os.makedirs(inner, exist_ok=True)
    rng = np.random.RandomState(11)
    colours = rng.randint(0, 256, (10, 3, 1))
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.randint(0, 10, per_batch)
        pixels = np.clip(colours[labels] + rng.randint(-40, 41, (per_batch, 3, 1024)), 0, 255).astype(np.uint8)
        with open(os.path.join(inner, name), "wb") as f:
            pickle.dump({b"data": pixels.reshape(per_batch, 3072), b"labels": labels.tolist()}, f)
    return folder


# NOTE: URL endings -> bytes served in place of the download (requests.get, urllib's urlopen/urlretrieve).
DOWNLOADS = {
    "birthweight.dat": birthweight_dat,
    "housing/housing.data": housing_data,
    "smsspamcollection.zip": sms_spam_zip,
    "rt-polaritydata.tar.gz": movie_reviews_tgz,
    "epub/100/pg100.txt": plays_txt,
    "anki/deu-eng.zip": sentence_pairs_zip,
}


def download(url: str) -> bytes | None:
    return next((make() for end, make in DOWNLOADS.items() if url.endswith(end)), None)


def nltk_data(home: str) -> None:
    """The two NLTK resources the programs load: English stopwords and the Punkt tokenizer (no parameters)."""
    stop = os.path.join(home, "nltk_data", "corpora", "stopwords")
    os.makedirs(stop, exist_ok=True)
    with open(os.path.join(stop, "english"), "w") as f:
        f.write("\n".join(_WORDS[:20]) + "\n")
    punkt = os.path.join(home, "nltk_data", "tokenizers", "punkt_tab", "english")
    os.makedirs(punkt, exist_ok=True)
    for name in ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab"):
        open(os.path.join(punkt, name), "a").close()
