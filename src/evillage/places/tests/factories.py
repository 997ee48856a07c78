import factory

from evillage.places.models import Country, Level, Place


class PlaceFactory(factory.django.DjangoModelFactory):
    """A Chinese village under a real-looking chain of parents (province → town)."""

    class Meta:
        model = Place
        django_get_or_create = ("country", "code")

    country = Country.CHINA
    level = Level.VILLAGE
    code = factory.Sequence(lambda n: f"320324{104200 + n:06d}")
    name = factory.Sequence(lambda n: f"东风{n}村")
    parent = factory.LazyAttribute(
        lambda o: (
            PlaceFactory(
                country=o.country,
                level=o.level - 1,
                code=o.code[: _PARENT_LEN[o.level]],
                name=f"镇{o.code[:9]}",
            )
            if o.level > 1
            else None
        )
    )


# Length of the parent's code for a Chinese place of each level.
_PARENT_LEN = {2: 2, 3: 4, 4: 6, 5: 9}


def village(**kwargs) -> Place:
    return PlaceFactory(level=Level.VILLAGE, **kwargs)
