"""The community's default consent form, version 1, in English and Spanish.

The lists are written out rather than read from the choices so that this
migration says tomorrow what it said the day it ran.
"""

from django.db import migrations
from django.utils import timezone

SLUG = "sharing"

CATEGORIES = [
    "demographics",
    "enrollment",
    "attendance",
    "assessments",
    "school-outcomes",
    "services",
    "guardian-contact",
]
PURPOSES = ["service-coordination", "program-evaluation"]
RECIPIENT_KINDS = [
    "school-district",
    "school",
    "community-program",
    "city-service",
    "health",
    "funder",
    "other",
]

TITLE_EN = "Sharing information about your child"
TITLE_ES = "Compartir información sobre su hijo o hija"

TEXT_EN = """\
Sharing information about your child

The schools, programs and services in our community work together to help \
children. With your permission, they can share some of your child's records \
with each other through Braid, the community's shared data system.

WHAT MAY BE SHARED
- Basic facts about your child, such as name, date of birth and gender
- The programs your child is enrolled in and takes part in
- Attendance
- Test and assessment results
- School results, such as grades, credits and graduation
- Services your child receives
- How to reach you: the names, phone numbers and email addresses of \
parents and guardians

WHY IT MAY BE SHARED
- To coordinate services: so that the people who work with your child can \
plan help and support together.
- To evaluate programs: to learn whether programs are working for \
children. Reports from evaluations show numbers about groups of children, \
never your child by name.

WHO MAY RECEIVE IT
Partner organizations that have signed the community's data-sharing \
agreement: school districts and schools, after-school and community \
programs, city and county services, health providers, funders, and other \
partner organizations. Each one receives only the records it needs for \
the reasons above. Any partner can give you the current list of partners.

YOUR CHOICES
- Saying yes is your choice. If you say no, your child can still take \
part in every program and receive every service.
- You may say yes to some records, reasons or organizations and no to \
others. Write it on this form.
- You may take back (revoke) your permission at any time, by writing to \
any partner organization or in the parent portal. Taking it back stops \
sharing from that moment on. It does not undo sharing that happened \
before.
- Your permission lasts until the date or the event written on this form, \
unless you take it back sooner.
- You may ask to see your child's records and a list of who has received \
them.

WHEN YOUR CHILD TURNS 18
At 18, these rights pass to your child. From your child's 18th birthday, \
your permission no longer allows new sharing; your child decides for \
themselves.

Signature of the parent or guardian (or of the student, if 18 or older), \
and the date.
"""

TEXT_ES = """\
Compartir información sobre su hijo o hija

Las escuelas, los programas y los servicios de nuestra comunidad trabajan \
juntos para ayudar a los niños. Con su permiso, pueden compartir entre \
ellos algunos de los registros de su hijo o hija por medio de Braid, el \
sistema de datos que la comunidad comparte.

QUÉ SE PUEDE COMPARTIR
- Datos básicos de su hijo o hija, como el nombre, la fecha de nacimiento \
y el género
- Los programas en los que está inscrito y participa
- La asistencia
- Los resultados de pruebas y evaluaciones
- Los resultados escolares, como calificaciones, créditos y graduación
- Los servicios que recibe
- Cómo comunicarse con usted: los nombres, teléfonos y correos \
electrónicos de los padres y tutores

PARA QUÉ SE PUEDE COMPARTIR
- Para coordinar servicios: para que las personas que trabajan con su \
hijo o hija puedan planear juntas la ayuda y el apoyo.
- Para evaluar programas: para saber si los programas están funcionando \
para los niños. Los informes de las evaluaciones muestran cifras sobre \
grupos de niños, nunca a su hijo o hija por su nombre.

QUIÉN PUEDE RECIBIRLO
Las organizaciones asociadas que han firmado el acuerdo de la comunidad \
para compartir datos: distritos escolares y escuelas, programas \
extraescolares y comunitarios, servicios de la ciudad y del condado, \
proveedores de salud, organizaciones que financian programas y otras \
organizaciones asociadas. Cada una recibe solo los registros que necesita \
para los fines de arriba. Cualquier organización asociada le puede dar la \
lista actual de organizaciones asociadas.

SUS DECISIONES
- Decir que sí es voluntario. Si dice que no, su hijo o hija puede seguir \
participando en todos los programas y recibiendo todos los servicios.
- Puede decir que sí a algunos registros, fines u organizaciones y que no \
a otros. Escríbalo en este formulario.
- Puede retirar (revocar) su permiso en cualquier momento, por escrito a \
cualquier organización asociada o en el portal para padres. Al retirarlo, \
se deja de compartir desde ese momento. No deshace lo que ya se compartió \
antes.
- Su permiso dura hasta la fecha o el suceso escrito en este formulario, \
a menos que lo retire antes.
- Puede pedir ver los registros de su hijo o hija y una lista de quiénes \
los han recibido.

CUANDO SU HIJO O HIJA CUMPLA 18 AÑOS
A los 18 años, estos derechos pasan a su hijo o hija. Desde el día en que \
cumpla 18 años, su permiso ya no permite compartir nada nuevo; su hijo o \
hija decide por sí mismo.

Firma del padre, la madre o el tutor (o del estudiante, si tiene 18 años \
o más) y la fecha.
"""


def create_form(apps, schema_editor):
    ConsentForm = apps.get_model("consent", "ConsentForm")
    FormVersion = apps.get_model("consent", "FormVersion")
    form, _ = ConsentForm.objects.get_or_create(
        slug=SLUG, defaults={"title": TITLE_EN}
    )
    FormVersion.objects.get_or_create(
        form=form,
        number=1,
        defaults={
            "title_en": TITLE_EN,
            "title_es": TITLE_ES,
            "text_en": TEXT_EN,
            "text_es": TEXT_ES,
            "categories": CATEGORIES,
            "purposes": PURPOSES,
            "recipient_kinds": RECIPIENT_KINDS,
            "published_at": timezone.now(),
        },
    )


def remove_form(apps, schema_editor):
    # A version a consent was given on stays; PROTECT refuses to drop it.
    ConsentForm = apps.get_model("consent", "ConsentForm")
    FormVersion = apps.get_model("consent", "FormVersion")
    FormVersion.objects.filter(form__slug=SLUG, number=1, consents=None).delete()
    ConsentForm.objects.filter(slug=SLUG, versions=None).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(create_form, remove_form)]
