from django.shortcuts import render

from kpiledger.web.ledger import models as m


def home(request):
    return render(request, "ledger/home.html", {"organizations": m.Organization.objects.all()})
