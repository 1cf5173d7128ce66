"""Le lecteur EWKB minimal : pas de base de données, des géométries construites à la main."""

import struct

import pytest

from territoires.services import centre_contours, point_wkb, polygones_wkb

CARRE = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
TROU = [(0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (2.0, 0.0), (0.0, 0.0)]


def _point(x: float, y: float, *, srid: int | None = None) -> str:
    if srid is None:
        return struct.pack("<BI2d", 1, 1, x, y).hex().upper()
    return struct.pack("<BII2d", 1, 0x20000001, srid, x, y).hex().upper()


def _polygone(anneaux: list[list[tuple[float, float]]], ordre: str = "<") -> bytes:
    octet = 1 if ordre == "<" else 0
    donnees = struct.pack(f"{ordre}BII", octet, 3, len(anneaux))
    for anneau in anneaux:
        donnees += struct.pack(f"{ordre}I", len(anneau))
        donnees += b"".join(struct.pack(f"{ordre}2d", x, y) for x, y in anneau)
    return donnees


def _multipolygone(*polygones: list[list[tuple[float, float]]], ordre: str = "<") -> str:
    octet = 1 if ordre == "<" else 0
    entete = struct.pack(f"{ordre}BII", octet, 0x20000006, len(polygones))
    srid = struct.pack(f"{ordre}I", 4326)
    return (entete[:5] + srid + entete[5:] + b"".join(_polygone(p, ordre) for p in polygones)).hex()


def test_un_point_donne_longitude_puis_latitude():
    assert point_wkb(_point(3.1576, 46.9878)) == (3.1576, 46.9878)


def test_un_point_avec_srid_est_lu():
    assert point_wkb(_point(-61.5, 16.27, srid=4326)) == (-61.5, 16.27)


def test_un_point_vide_ne_donne_pas_de_position():
    assert point_wkb(_point(float("nan"), float("nan"))) is None


def test_un_contour_n_est_pas_pris_pour_un_point():
    with pytest.raises(ValueError, match="Point attendu"):
        point_wkb(_multipolygone([CARRE]))


def test_un_multipolygone_gros_boutiste_avec_srid_est_lu():
    polygones = polygones_wkb(_multipolygone([CARRE, TROU], [CARRE], ordre=">"))

    assert len(polygones) == 2
    assert polygones[0][1] == TROU


def test_le_centre_d_un_carre_est_son_milieu():
    assert centre_contours([_multipolygone([CARRE])]) == pytest.approx((2.0, 2.0))


def test_le_centre_deduit_les_trous():
    # Carré 4×4 privé du quart 2×2 en bas à gauche : le centre remonte vers le haut à droite.
    x, y = centre_contours([_multipolygone([CARRE, TROU])])

    assert x == pytest.approx((16 * 2 - 4 * 1) / 12)
    assert y == pytest.approx(x)


def test_le_centre_de_plusieurs_polygones_est_pondere_par_les_aires():
    petit = [(10.0, 0.0), (11.0, 0.0), (11.0, 1.0), (10.0, 1.0), (10.0, 0.0)]

    x, y = centre_contours([_multipolygone([CARRE], [petit])])

    assert x == pytest.approx((16 * 2 + 1 * 10.5) / 17)
    assert y == pytest.approx((16 * 2 + 1 * 0.5) / 17)


def test_l_orientation_des_anneaux_ne_change_pas_le_centre():
    assert centre_contours([_multipolygone([CARRE[::-1], TROU[::-1]])]) == pytest.approx(
        centre_contours([_multipolygone([CARRE, TROU])])
    )


def test_sans_contour_il_n_y_a_pas_de_centre():
    assert centre_contours([]) is None
